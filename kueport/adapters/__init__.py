"""Implementations of the ports: Redis for production, memory for embedding and tests."""
