"""The Redis adapter: Kue's exact key layout and job hash, with one Lua script per transition.

`keys` names every key of a queue, `codec` maps jobs and events to and from what Kue stores.
"""
