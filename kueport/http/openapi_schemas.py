"""JSON Schemas of the API's bodies, for `openapi.json` (OpenAPI 3.0)."""

from __future__ import annotations

from typing import Any

from kueport.domain.priority import PRIORITIES
from kueport.domain.state import State

Schema = dict[str, Any]

STATES = [state.value for state in State]
PRIORITY_PATTERN = "^(-?[0-9]{1,15}|" + "|".join(PRIORITIES) + ")$"

ERROR: Schema = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {"type": "string"}},
}
MESSAGE: Schema = {
    "type": "object",
    "required": ["message"],
    "properties": {"message": {"type": "string"}},
}
_TIME = {"type": "string", "pattern": "^-?[0-9]+$"}
JOB: Schema = {
    "type": "object",
    "required": ["id", "type", "state", "priority", "attempts", "progress"],
    "properties": {
        "id": {"type": "integer"},
        "type": {"type": "string"},
        "data": {},
        "result": {},
        "progress_data": {},
        "priority": {"type": "integer"},
        "progress": {"oneOf": [{"type": "integer"}, {"type": "string"}]},
        "state": {"type": "string", "enum": STATES},
        "error": {"type": "string"},
        **{
            name: _TIME
            for name in (
                "created_at",
                "promote_at",
                "updated_at",
                "failed_at",
                "started_at",
                "duration",
                "delay",
                "ttl",
            )
        },
        "workerId": {"type": "string"},
        "attempts": {
            "type": "object",
            "required": ["made", "remaining", "max"],
            "properties": {n: {"type": "integer"} for n in ("made", "remaining", "max")},
        },
    },
}
#: `?brief=true`: a job as a list row (`presenters.job_row_json`).
JOB_ROW: Schema = {
    **JOB,
    "properties": {
        **{
            k: v
            for k, v in JOB["properties"].items()
            if k not in ("data", "result", "progress_data")
        },
        "title": {"type": "string", "maxLength": 200},
        "error": {"type": "string", "maxLength": 500},
    },
}
MAX_MS = 10**15
_MS = {"oneOf": [{"type": "number", "minimum": 0, "maximum": MAX_MS}, {"type": "string"}]}
NEW_JOB: Schema = {
    "type": "object",
    "required": ["type"],
    "properties": {
        "type": {"type": "string", "minLength": 1},
        "data": {},
        "options": {
            "type": "object",
            "description": "Kue's options; applied only when truthy; delay and ttl in ms.",
            "properties": {
                "attempts": {"type": "integer", "minimum": 0},
                "priority": {
                    "oneOf": [{"type": "integer"}, {"type": "string", "enum": list(PRIORITIES)}]
                },
                "delay": _MS,
                "ttl": _MS,
                "backoff": {"oneOf": [{"type": "boolean"}, {"type": "object"}, {"type": "string"}]},
                "searchKeys": {"type": "array", "items": {"type": "string", "minLength": 1}},
                "removeOnComplete": {"type": "boolean"},
                "removeOnFail": {"type": "boolean"},
            },
        },
    },
}
CREATED: Schema = {
    "type": "object",
    "required": ["message", "id"],
    "properties": {"message": {"type": "string"}, "id": {"type": "integer"}},
}
CREATE_BODY: Schema = {"oneOf": [NEW_JOB, {"type": "array", "items": NEW_JOB}]}
CREATE_REPLY: Schema = {
    "oneOf": [CREATED, ERROR, {"type": "array", "items": {"oneOf": [CREATED, ERROR]}}]
}


def obj(properties: dict[str, Schema], required: tuple[str, ...] = ()) -> Schema:
    schema: Schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    return schema


def array(items: Schema) -> Schema:
    return {"type": "array", "items": items}


INTEGER: Schema = {"type": "integer"}
STRING: Schema = {"type": "string"}
BOOLEAN: Schema = {"type": "boolean"}
NULLABLE_INTEGER: Schema = {"type": "integer", "nullable": True}
STATS = obj(
    {**{f"{s}Count": INTEGER for s in STATES}, "workTime": NULLABLE_INTEGER},
    (*(f"{s}Count" for s in STATES), "workTime"),
)
TYPE_STATS = array(
    obj({"type": STRING, **{s: INTEGER for s in STATES}, "paused": BOOLEAN}, ("type", "paused"))
)
THROUGHPUT = obj(
    {"minutes": array(obj({n: INTEGER for n in ("t", "complete", "failed")}, ("t",)))},
    ("minutes",),
)
WORKERS = array(
    obj(
        {
            "id": STRING,
            "host": STRING,
            "pid": INTEGER,
            "type": STRING,
            "concurrency": INTEGER,
            "running": array(INTEGER),
            "startedAt": INTEGER,
            "lastSeen": INTEGER,
            "paused": BOOLEAN,
        },
        ("id", "type", "running"),
    )
)
CONFIG = obj(
    {"title": STRING, "readOnly": BOOLEAN, "searchEnabled": BOOLEAN},
    ("title", "readOnly", "searchEnabled"),
)
TYPE_FILTER = {
    "type": "object",
    "additionalProperties": False,
    "properties": {"type": {"type": "string", "minLength": 1}},
}
REMOVE_FILTER = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "type": {"type": "string", "minLength": 1},
        "olderThanMs": {"type": "integer", "minimum": 0, "maximum": MAX_MS},
    },
}
NO_BODY = {"type": "object", "additionalProperties": False, "properties": {}}
