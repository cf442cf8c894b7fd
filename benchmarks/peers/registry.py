"""Name -> driver. Drivers import their system lazily, so a missing one is skipped, not fatal."""

from __future__ import annotations

import importlib
import shutil

from benchmarks.peers.base import Peer

#: The order of the table: kueport first, the ceiling last.
PEERS: dict[str, str] = {
    "kueport": "benchmarks.peers.kueport_peer:KueportPeer",
    "dramatiq": "benchmarks.peers.dramatiq_peer:DramatiqPeer",
    "huey": "benchmarks.peers.huey_peer:HueyPeer",
    "saq": "benchmarks.peers.saq_peer:SaqPeer",
    "arq": "benchmarks.peers.arq_peer:ArqPeer",
    "rq": "benchmarks.peers.rq_peer:RqPeer",
    "bullmq": "benchmarks.peers.node_peer:BullmqPeer",
    "kue": "benchmarks.peers.node_peer:KuePeer",
    "raw": "benchmarks.peers.raw_peer:RawPeer",
}
NODE_PEERS = {"bullmq", "kue"}


def make_peer(name: str) -> Peer | None:
    """A fresh driver, or None when its package (or `node`) is not installed here."""
    if name in NODE_PEERS and shutil.which("node") is None:
        return None
    module_name, _, attr = PEERS[name].partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None
    peer: Peer = getattr(module, attr)()
    return peer
