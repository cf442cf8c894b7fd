"""Fault tests: real processes, real redis-server, signals and crashes."""
