"""A throwaway `redis-server` on a free loopback port, for the tests that need real Redis.

`RedisServer.start()` runs one in a temporary directory (no persistence, log to a file) and
returns once it answers PING; `start(password=...)` runs one with `--requirepass` (its own
clients and `flush()` authenticate, `url` carries the password). When `redis-server` is not
installed the calling test is skipped with a loud reason, except under CI (env `CI` set),
where the run must fail instead.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import redis

START_TIMEOUT = 10.0
STOP_TIMEOUT = 5.0


def redis_server_executable() -> str:
    """The path of `redis-server`; skips the test (fails it under CI) when it is missing."""
    path = os.environ.get("REDIS_SERVER") or shutil.which("redis-server")
    if path:
        return path
    reason = (
        "redis-server is not installed: the Redis adapter tests need it "
        "(`make test` installs it when run as root, or: apt-get install -y redis-server)"
    )
    if os.environ.get("CI"):
        pytest.fail(f"CI is set and {reason}", pytrace=False)
    pytest.skip(f"SKIPPING REDIS TESTS: {reason}")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RedisServer:
    """One running `redis-server`; stop it with `stop()` (also safe to call twice)."""

    def __init__(
        self,
        process: subprocess.Popen[bytes],
        port: int,
        workdir: Path,
        password: str | None = None,
    ) -> None:
        self.process = process
        self.port = port
        self.workdir = workdir
        self.password = password
        self._clients: list[redis.Redis] = []

    @classmethod
    def start(cls, attempts: int = 3, *, password: str | None = None) -> RedisServer:
        """Start a server; retries on another port if the chosen one was taken meanwhile."""
        executable = redis_server_executable()
        error: RuntimeError | None = None
        for _ in range(attempts):
            workdir = Path(tempfile.mkdtemp(prefix="kueport-redis-"))
            server = cls._spawn(executable, free_port(), workdir, password)
            try:
                server._wait_until_ready()
                return server
            except RuntimeError as failure:
                error = failure
                server.stop()
        raise RuntimeError(f"could not start redis-server: {error}")

    #: Persistence flags; a subclass may turn on AOF so restarts keep every write.
    persistence: tuple[str, ...] = ("--appendonly", "no")

    @classmethod
    def _spawn(
        cls, executable: str, port: int, workdir: Path, password: str | None = None
    ) -> RedisServer:
        args = [
            executable,
            "--port", str(port),
            "--bind", "127.0.0.1",
            "--save", "",
            *cls.persistence,
            "--daemonize", "no",
            "--dir", str(workdir),
            *(("--requirepass", password) if password is not None else ()),
        ]  # fmt: skip
        with (workdir / "redis.log").open("ab") as log:
            process = subprocess.Popen(
                args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )
        return cls(process, port, workdir, password)

    @property
    def url(self) -> str:
        auth = "" if self.password is None else f":{self.password}@"
        return f"redis://{auth}127.0.0.1:{self.port}/0"

    @property
    def log(self) -> str:
        path = self.workdir / "redis.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def client(self, **options: object) -> redis.Redis:
        """A new client (bytes replies); closed by `stop()`."""
        options.setdefault("password", self.password)
        client = redis.Redis(host="127.0.0.1", port=self.port, **options)  # type: ignore[arg-type]
        self._clients.append(client)
        return client

    def flush(self) -> None:
        """FLUSHALL: every database of the server is empty again."""
        with redis.Redis(host="127.0.0.1", port=self.port, password=self.password) as client:
            client.flushall()

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        probe = redis.Redis(
            host="127.0.0.1", port=self.port, password=self.password, socket_connect_timeout=0.5
        )
        try:
            while True:
                if self.process.poll() is not None:
                    raise RuntimeError(
                        f"redis-server exited with {self.process.returncode}:\n{self.log}"
                    )
                try:
                    if probe.ping():
                        return
                except redis.ConnectionError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server did not answer PING:\n{self.log}")
                time.sleep(0.02)
        finally:
            probe.close()

    def restart(self, downtime: float = 0.0) -> None:
        """Stop the server and start a fresh (empty) one on the same port, for fault tests."""
        self.terminate()
        time.sleep(downtime)
        fresh = self._spawn(redis_server_executable(), self.port, self.workdir, self.password)
        self.process = fresh.process
        self._wait_until_ready()

    def terminate(self) -> None:
        """Stop the process by its pid (SIGTERM, then SIGKILL); `restart()` can bring it back."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(STOP_TIMEOUT)

    def stop(self) -> None:
        """Terminate the server by its pid (kill it if it lingers) and remove its directory."""
        for client in self._clients:
            client.close()
        self._clients.clear()
        self.terminate()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> RedisServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


# -- one server for the whole test session ----------------------------------------------------
_shared: RedisServer | None = None


def shared_server() -> RedisServer:
    """The session's server, started on first use (skips, or fails under CI, without Redis).

    Plain functions (hypothesis state machines, backend factories) can call this where a
    fixture cannot be requested; `stop_shared_server()` ends it at the end of the session.
    """
    global _shared
    if _shared is None:
        _shared = RedisServer.start()
    return _shared


def shared_server_running() -> bool:
    return _shared is not None


def stop_shared_server() -> None:
    global _shared
    server, _shared = _shared, None
    if server is not None:
        server.stop()
