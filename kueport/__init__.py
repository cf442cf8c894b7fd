"""kueport: a priority job queue for Python, backed by Redis, compatible with Node's Kue.

queue = kueport.create_queue()
queue.create("email", {"to": "tj@example.com"}).priority("high").attempts(3).save()

@queue.process("email", concurrency=5)
def send(job):
    job.progress(1, 1)
    return {"sent": True}
"""

from kueport.adapters.clock import ManualClock, SystemClock
from kueport.bootstrap import create_queue
from kueport.domain.backoff import Exponential, Fixed, Named
from kueport.domain.errors import (
    IllegalTransition,
    InvalidArgument,
    InvalidConnectionSettings,
    InvalidJobId,
    InvalidJobOption,
    InvalidPriority,
    InvalidRange,
    InvalidRetention,
    InvalidSearch,
    InvalidState,
    JobNotFound,
    KueportError,
    LeaseLost,
    PromotionLocked,
    QueueClosed,
    SearchDisabled,
    ShutdownInProgress,
    UnknownBackoff,
    UnreadableJob,
)
from kueport.domain.priority import PRIORITIES
from kueport.domain.retention import Retention, RetentionRule
from kueport.domain.state import State
from kueport.domain.workers import WorkerInfo
from kueport.job import Job
from kueport.queue import Queue
from kueport.running import Context
from kueport.search_repair import SearchRepair
from kueport.worker import Worker

__all__ = [
    "PRIORITIES",
    "Context",
    "Exponential",
    "Fixed",
    "IllegalTransition",
    "InvalidArgument",
    "InvalidConnectionSettings",
    "InvalidJobId",
    "InvalidJobOption",
    "InvalidPriority",
    "InvalidRange",
    "InvalidRetention",
    "InvalidSearch",
    "InvalidState",
    "Job",
    "JobNotFound",
    "KueportError",
    "LeaseLost",
    "ManualClock",
    "Named",
    "PromotionLocked",
    "Queue",
    "QueueClosed",
    "Retention",
    "RetentionRule",
    "SearchDisabled",
    "SearchRepair",
    "ShutdownInProgress",
    "State",
    "SystemClock",
    "UnknownBackoff",
    "UnreadableJob",
    "Worker",
    "WorkerInfo",
    "create_queue",
]
