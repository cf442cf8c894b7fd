"""Real Redis topologies for the end-to-end tests: a Sentinel setup and a 3-master Cluster.

Every process is a real `redis-server` (sentinels are `redis-server <conf> --sentinel`, the
same binary `redis-sentinel` links to) on free loopback ports, in a temporary directory of
its own, and is stopped by its pid (SIGTERM, then SIGKILL) when the setup stops. A missing
`redis-server` or `redis-cli` skips the calling test with a loud reason, except under CI (env
`CI` set), where the run fails instead.

* `SentinelSetup.start()`: one master, one replica (`--replicaof`) and three sentinels
  (`sentinel monitor mymaster 127.0.0.1 <port> 2`, `down-after-milliseconds 1000`,
  `failover-timeout 5000`); returns once the replica is in sync and every sentinel knows the
  replica and the two other sentinels, so a failover can be agreed on at once.
* `RedisClusterSetup.start()`: three masters with `--cluster-enabled yes`, joined with
  `redis-cli --cluster create ... --cluster-replicas 0 --cluster-yes`; returns once every
  node's `CLUSTER INFO` says `cluster_state:ok`.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import redis
from redis.cluster import ClusterNode, RedisCluster
from redis.sentinel import Sentinel

from tests.redis_server import free_port, redis_server_executable

SERVICE = "mymaster"
START_TIMEOUT = 15.0
STOP_TIMEOUT = 5.0


def redis_cli_executable() -> str:
    """The path of `redis-cli`; skips the test (fails it under CI) when it is missing."""
    path = os.environ.get("REDIS_CLI") or shutil.which("redis-cli")
    if path:
        return path
    reason = "redis-cli is not installed: the Redis Cluster tests need it to create a cluster"
    if os.environ.get("CI"):
        pytest.fail(f"CI is set and {reason}", pytrace=False)
    pytest.skip(f"SKIPPING REDIS CLUSTER TESTS: {reason}")


def wait_until(check: Callable[[], Any], timeout: float, what: str) -> Any:
    """Poll `check` (errors count as "not yet") until it returns something truthy."""
    deadline = time.monotonic() + timeout
    last: BaseException | None = None
    while True:
        try:
            value = check()
            if value:
                return value
        except (redis.RedisError, OSError) as error:
            last = error
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")
        time.sleep(0.05)


def _port_pair_is_free(port: int) -> bool:
    for each in (port, port + 10000):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", each))
            except OSError:
                return False
    return True


def free_cluster_port() -> int:
    """A free port whose cluster bus port (port + 10000) is free and valid too."""
    while True:
        port = free_port()
        if port <= 55000 and _port_pair_is_free(port):
            return port


class Node:
    """One `redis-server` process (a data node or a sentinel) on a loopback port."""

    def __init__(self, name: str, args: list[str], port: int, workdir: Path) -> None:
        self.name = name
        self.args = args
        self.port = port
        self.workdir = workdir
        self.process: subprocess.Popen[bytes] | None = None

    @classmethod
    def start(
        cls,
        name: str,
        build: Callable[[int, Path], list[str]],
        pick_port: Callable[[], int] = free_port,
        attempts: int = 3,
    ) -> Node:
        """Run `build(port, workdir)` on a free port; retries elsewhere if the port was taken."""
        error: RuntimeError | None = None
        for _ in range(attempts):
            port = pick_port()
            workdir = Path(tempfile.mkdtemp(prefix=f"kueport-e2e-{name}-"))
            node = cls(name, build(port, workdir), port, workdir)
            try:
                node.spawn()
                return node
            except RuntimeError as failure:
                error = failure
                node.stop()
        raise RuntimeError(f"could not start {name}: {error}")

    @property
    def address(self) -> tuple[str, int]:
        return ("127.0.0.1", self.port)

    @property
    def log(self) -> str:
        path = self.workdir / "redis.log"
        return path.read_text(errors="replace") if path.exists() else ""

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def client(self, **options: Any) -> redis.Redis:
        """A new plain client on this node (bytes replies); the caller closes it."""
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=5, **options)

    def spawn(self) -> None:
        """Start the process (again, for a restart) and wait until it answers PING."""
        with (self.workdir / "redis.log").open("ab") as log:
            self.process = subprocess.Popen(
                self.args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )
        with self.client(socket_connect_timeout=0.5) as probe:
            wait_until(lambda: self._alive() and probe.ping(), START_TIMEOUT, f"{self.name} PING")

    def _alive(self) -> bool:
        if not self.running:
            raise RuntimeError(f"{self.name} exited:\n{self.log[-3000:]}")
        return True

    def kill(self) -> None:
        """SIGKILL: the node dies as in a crash, without a chance to tell anyone."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(STOP_TIMEOUT)

    def terminate(self) -> None:
        """SIGTERM by pid, then SIGKILL if it lingers."""
        process = self.process
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(STOP_TIMEOUT)

    def stop(self) -> None:
        """Stop the process and remove its directory."""
        self.terminate()
        shutil.rmtree(self.workdir, ignore_errors=True)


def _data_node_args(port: int, workdir: Path, *extra: str) -> list[str]:
    return [
        redis_server_executable(),
        "--port", str(port),
        "--bind", "127.0.0.1",
        "--save", "",
        "--appendonly", "no",
        "--daemonize", "no",
        "--dir", str(workdir),
        *extra,
    ]  # fmt: skip


def _sentinel_args(master_port: int) -> Callable[[int, Path], list[str]]:
    def build(port: int, workdir: Path) -> list[str]:
        config = workdir / "sentinel.conf"  # a sentinel rewrites its own config file
        config.write_text(
            f"port {port}\n"
            "bind 127.0.0.1\n"
            "daemonize no\n"
            f'dir "{workdir}"\n'
            f"sentinel monitor {SERVICE} 127.0.0.1 {master_port} 2\n"
            f"sentinel down-after-milliseconds {SERVICE} 1000\n"
            f"sentinel failover-timeout {SERVICE} 5000\n"
        )
        return [redis_server_executable(), str(config), "--sentinel"]

    return build


# -- Sentinel ---------------------------------------------------------------------------------
class SentinelSetup:
    """A monitored master with one replica and three sentinels (quorum 2)."""

    def __init__(self) -> None:
        self.data_nodes: list[Node] = []
        self.sentinels: list[Node] = []

    @classmethod
    def start(cls) -> SentinelSetup:
        setup = cls()
        try:
            setup._start()
        except BaseException:
            setup.stop()
            raise
        return setup

    def _start(self) -> None:
        master = Node.start("master", _data_node_args)
        self.data_nodes.append(master)
        replica = Node.start(
            "replica",
            lambda port, workdir: _data_node_args(
                port, workdir, "--replicaof", "127.0.0.1", str(master.port)
            ),
        )
        self.data_nodes.append(replica)
        self.wait_for_replica(replica)
        for number in range(3):
            self.sentinels.append(Node.start(f"sentinel{number}", _sentinel_args(master.port)))
        wait_until(self._sentinels_agree, START_TIMEOUT, "the sentinels to find each other")

    def _sentinels_agree(self) -> bool:
        for node in self.sentinels:
            with node.client(decode_responses=True) as client:
                info = client.sentinel_master(SERVICE)
                if int(info["num-slaves"]) < 1 or int(info["num-other-sentinels"]) < 2:
                    return False
        return True

    @property
    def sentinel_addresses(self) -> list[tuple[str, int]]:
        return [node.address for node in self.sentinels]

    def sentinel(self, **options: Any) -> Sentinel:
        """A redis-py `Sentinel` over the three sentinels (the caller builds clients from it)."""
        return Sentinel(self.sentinel_addresses, socket_timeout=1.0, **options)

    def master_port(self) -> int:
        """The master's port as the sentinels report it now."""
        with self.sentinels[0].client(decode_responses=True) as client:
            _, port = client.sentinel_get_master_addr_by_name(SERVICE)
        return int(port)

    def node_on(self, port: int) -> Node:
        return next(node for node in self.data_nodes if node.port == port)

    def master(self) -> Node:
        return self.node_on(self.master_port())

    def wait_for_replica(self, replica: Node, timeout: float = START_TIMEOUT) -> None:
        def in_sync() -> bool:
            with replica.client(decode_responses=True) as client:
                info = client.info("replication")
            return info.get("master_link_status") == "up"

        wait_until(in_sync, timeout, f"{replica.name} to sync with its master")

    def replicate_everything(self, timeout_ms: int = 5000) -> int:
        """`WAIT 1`: every write so far reached the replica; returns how many acknowledged."""
        with self.master().client() as client:
            return int(client.execute_command("WAIT", 1, timeout_ms))

    def kill_master(self) -> Node:
        """Crash the master (SIGKILL); the sentinels then promote the replica."""
        master = self.master()
        master.kill()
        return master

    def wait_for_new_master(self, old_port: int, timeout: float = 30.0) -> Node:
        """Wait until every sentinel names another master and that node accepts writes."""

        def promoted() -> Node | None:
            ports = set()
            for node in self.sentinels:
                with node.client(decode_responses=True) as client:
                    ports.add(int(client.sentinel_get_master_addr_by_name(SERVICE)[1]))
            if len(ports) != 1 or old_port in ports:
                return None
            new = self.node_on(ports.pop())
            with new.client(decode_responses=True) as client:
                return new if client.info("replication")["role"] == "master" else None

        found: Node = wait_until(promoted, timeout, "the sentinels to promote the replica")
        return found

    def stop(self) -> None:
        for node in [*self.sentinels, *self.data_nodes]:
            node.stop()


# -- Cluster ----------------------------------------------------------------------------------
class RedisClusterSetup:
    """Three cluster masters (no replicas) sharing the 16384 slots."""

    def __init__(self) -> None:
        self.nodes: list[Node] = []

    @classmethod
    def start(cls, masters: int = 3) -> RedisClusterSetup:
        cli = redis_cli_executable()
        setup = cls()
        try:
            for number in range(masters):
                setup.nodes.append(setup._start_node(number))
            setup._create(cli)
        except BaseException:
            setup.stop()
            raise
        return setup

    @staticmethod
    def _start_node(number: int) -> Node:
        def build(port: int, workdir: Path) -> list[str]:
            return _data_node_args(
                port, workdir,
                "--cluster-enabled", "yes",
                "--cluster-config-file", str(workdir / "nodes.conf"),
                "--cluster-node-timeout", "5000",
            )  # fmt: skip

        return Node.start(f"cluster{number}", build, pick_port=free_cluster_port)

    def _create(self, cli: str) -> None:
        addresses = [f"127.0.0.1:{node.port}" for node in self.nodes]
        command = [cli, "--cluster", "create", *addresses, "--cluster-replicas", "0"]
        done = subprocess.run(
            [*command, "--cluster-yes"], capture_output=True, timeout=60, check=False
        )
        if done.returncode != 0:
            output = (done.stdout + done.stderr).decode(errors="replace")
            raise RuntimeError(f"redis-cli --cluster create failed:\n{output}")
        wait_until(self._all_ok, START_TIMEOUT, "cluster_state:ok on every node")

    def _all_ok(self) -> bool:
        for node in self.nodes:
            with node.client(decode_responses=True) as client:
                info = client.execute_command("CLUSTER INFO")  # parsed into a dict
            if info.get("cluster_state") != "ok" or int(info["cluster_known_nodes"]) != 3:
                return False
        return True

    @property
    def startup_nodes(self) -> list[ClusterNode]:
        return [ClusterNode("127.0.0.1", node.port) for node in self.nodes]

    def client(self, **options: Any) -> RedisCluster:
        """A new cluster client (connects at once to read the slot map); the caller closes it."""
        return RedisCluster(startup_nodes=self.startup_nodes, **options)

    def keyslot(self, key: str) -> int:
        with self.nodes[0].client() as client:
            return int(client.execute_command("CLUSTER KEYSLOT", key))

    def node_for_slot(self, slot: int) -> Node:
        """The master serving `slot`, from `CLUSTER SHARDS`'s older sibling `CLUSTER SLOTS`."""
        with self.nodes[0].client() as client:
            for start, end, master, *_ in client.execute_command("CLUSTER SLOTS"):
                if int(start) <= slot <= int(end):
                    return next(n for n in self.nodes if n.port == int(master[1]))
        raise LookupError(f"no node serves slot {slot}")

    def flush(self) -> None:
        for node in self.nodes:
            with node.client() as client:
                client.flushall()

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()
