"""Worker-side modules: what each system's own CLI imports in the worker processes.

Every module reads its settings from environment variables set by the runner
(`BENCH_REDIS_URL`, `BENCH_SINK`, and for some `BENCH_CONCURRENCY`), registers one task
named like the driver's, and the task calls `benchmarks.peers.sink.record` with its payload.
"""
