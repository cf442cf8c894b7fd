"""The pure core: job values, states, ordering, backoff, retry, TTL and event rules.

Imports only the standard library and attrs (a test checks this).
"""
