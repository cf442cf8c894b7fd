"""Running Node Kue 0.11.6 from Python: installing it with npm and running `node/*.js`.

The scripts in `node/` each run one scenario: `node <script> '<params JSON>'` with
`NODE_PATH` at the installed `node_modules`; their result is the last stdout line (JSON).
See `node/common.js`.
"""

from __future__ import annotations

import fcntl
import json
import os
import queue as stdlib_queue
import shutil
import subprocess
import threading
import uuid
from pathlib import Path
from typing import Any

KUE_VERSION = "0.11.6"
SCRIPTS = Path(__file__).parent / "node"
INSTALL_TIMEOUT = 300.0
NODE = os.environ.get("NODE") or shutil.which("node")


class NodeScriptFailed(AssertionError):
    """A Node script exited badly, timed out or printed no result."""


def _last_json(stdout: str) -> dict[str, Any] | None:
    for line in reversed(stdout.splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                value = json.loads(line)
            except ValueError:
                continue
            if isinstance(value, dict):
                return value
    return None


# -- installing kue from npm --------------------------------------------------------------------
def _node_major(node: str) -> str:
    version = subprocess.run(
        [node, "--version"], capture_output=True, text=True, timeout=30, check=True
    ).stdout.strip()
    return version.lstrip("v").split(".")[0]


def installed_version(node: str, folder: Path) -> str | None:
    modules = folder / "node_modules"
    if not (modules / "kue" / "package.json").exists():
        return None
    probe = subprocess.run(
        [node, "-e", "process.stdout.write(require('kue/package.json').version)"],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "NODE_PATH": str(modules)},
    )
    return probe.stdout.strip() if probe.returncode == 0 else None


def npm_install(folder: Path) -> None:
    """`npm install --no-audit --no-fund kue@VERSION` in `folder` (raises with npm's output)."""
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("`npm` is not installed (node is)")
    folder.mkdir(parents=True, exist_ok=True)
    # A package.json of its own, so npm never walks up to some enclosing project.
    (folder / "package.json").write_text(
        json.dumps({"name": "kueport-interop-node", "private": True, "version": "0.0.0"})
    )
    try:
        done = subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", f"kue@{KUE_VERSION}"],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT,
        )
    except subprocess.TimeoutExpired as error:
        raise RuntimeError(f"npm install took more than {INSTALL_TIMEOUT:.0f}s") from error
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).splitlines()[-30:])
        raise RuntimeError(f"npm install kue@{KUE_VERSION} exited {done.returncode}:\n{tail}")


def cached_install(node: str) -> Path:
    """The shared cache folder, installed once; a lock keeps parallel runs from racing."""
    root = Path(os.environ.get("KUEPORT_INTEROP_NODE_DIR", "/tmp/kueport-interop-node"))
    root.mkdir(parents=True, exist_ok=True)
    final = root / f"kue-{KUE_VERSION}-node{_node_major(node)}"
    with (root / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if installed_version(node, final) == KUE_VERSION:
            return final
        staging = root / f".staging-{uuid.uuid4().hex}"
        try:
            npm_install(staging)
            shutil.rmtree(final, ignore_errors=True)  # a broken earlier install
            staging.rename(final)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return final


# -- running the scripts ----------------------------------------------------------------------
class RunningScript:
    """A Node script running in the background (for listeners that must be ready first)."""

    def __init__(self, process: subprocess.Popen[str], name: str, timeout: float) -> None:
        self.process = process
        self.name = name
        self.timeout = timeout
        self._lines: stdlib_queue.Queue[str | None] = stdlib_queue.Queue()
        self._stdout: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._stdout.append(line)
            self._lines.put(line)
        self._lines.put(None)

    def wait_ready(self, timeout: float = 20.0) -> dict[str, Any]:
        """The first `{"ready": true, ...}` line the script prints."""
        while True:
            try:
                line = self._lines.get(timeout=timeout)
            except stdlib_queue.Empty:
                self.stop()
                raise NodeScriptFailed(f"{self.name} never became ready") from None
            if line is None:
                raise NodeScriptFailed(f"{self.name} ended before it was ready: {self._output()}")
            value = _last_json(line)
            if value is not None and value.get("ready"):
                return value

    def result(self) -> dict[str, Any]:
        """Wait for the script to finish on its own; its final JSON line."""
        try:
            self.process.wait(self.timeout + 10)
        except subprocess.TimeoutExpired:
            self.stop()
            raise NodeScriptFailed(f"{self.name} did not exit: {self._output()}") from None
        self._reader.join(10)
        value = _last_json("".join(self._stdout))
        if self.process.returncode != 0 or value is None or "error" in value:
            raise NodeScriptFailed(
                f"{self.name} exited {self.process.returncode}: {self._output()}"
            )
        return value

    def _output(self) -> str:
        stderr = self.process.stderr.read() if self.process.stderr else ""
        return f"stdout={''.join(self._stdout)!r} stderr={stderr[-3000:]!r}"

    def stop(self) -> None:
        """Kill this script's process (by its pid) if it still runs."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)


class KueNode:
    """Runs the scripts of `node/` against the session's redis-server."""

    def __init__(self, modules: Path, redis_url: str) -> None:
        self.modules = modules
        self.redis_url = redis_url
        self._running: list[RunningScript] = []

    def _command(
        self, script: str, prefix: str, timeout: float, params: dict[str, Any]
    ) -> list[str]:
        payload = {
            "redis": self.redis_url,
            "prefix": prefix,
            "timeout_ms": int(timeout * 1000),
            **params,
        }
        assert NODE is not None
        return [NODE, str(SCRIPTS / script), json.dumps(payload)]

    def _env(self) -> dict[str, str]:
        return {**os.environ, "NODE_PATH": str(self.modules), "NODE_NO_WARNINGS": "1"}

    def run(
        self, script: str, prefix: str, *, timeout: float = 20.0, **params: Any
    ) -> dict[str, Any]:
        """Run `script` to its end (it exits on its own); its result JSON."""
        command = self._command(script, prefix, timeout, params)
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=timeout + 10, env=self._env()
            )
        except subprocess.TimeoutExpired as error:
            raise NodeScriptFailed(f"{script} did not exit: {error}") from None
        value = _last_json(done.stdout)
        if done.returncode != 0 or value is None or "error" in value:
            raise NodeScriptFailed(
                f"{script} exited {done.returncode}: stdout={done.stdout!r} "
                f"stderr={done.stderr[-3000:]!r}"
            )
        return value

    def start(
        self, script: str, prefix: str, *, timeout: float = 20.0, **params: Any
    ) -> RunningScript:
        """Start `script` in the background; see `RunningScript`."""
        process = subprocess.Popen(
            self._command(script, prefix, timeout, params),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            env=self._env(),
        )
        running = RunningScript(process, script, timeout)
        self._running.append(running)
        return running

    def stop_all(self) -> None:
        for running in self._running:
            running.stop()
        self._running.clear()
