"""The embedded backend: jobs, events and search inside this process, no server needed."""

from kueport.adapters.memory.pubsub import MemoryEventBus
from kueport.adapters.memory.search import MemorySearchIndex, NullSearchIndex
from kueport.adapters.memory.storage import MemoryStorage

__all__ = ["MemoryEventBus", "MemorySearchIndex", "MemoryStorage", "NullSearchIndex"]
