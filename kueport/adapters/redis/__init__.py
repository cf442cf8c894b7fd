"""The Redis adapter: Kue's exact key layout and job hash, with one Lua script per transition.

`keys` names every key of a queue, `codec` maps jobs and events to and from what Kue stores,
`connection` reads Kue's connection options, `pubsub` carries events on `P:events`, and
`redis_backend` wires them with `storage` into the backend `create_queue(redis=...)` uses.
"""

from kueport.adapters.redis.backend import redis_backend

__all__ = ["redis_backend"]
