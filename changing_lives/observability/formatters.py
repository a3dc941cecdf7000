"""Log formats: one JSON object per line (production), or plain text (development).

Each line says when, how bad, which logger and what happened, and which request and user it
belongs to (`request_id`, `user_id` as the user's public UUID, `path` with ids only). The
JSON format leaves an exception's message out and keeps its type and stack: a database error
quotes the values it refused (an NHS number in a unique violation, say), and tracebacks are
where personal data slips into logs unnoticed.
"""

import datetime
import json
import logging
import traceback
from types import TracebackType
from typing import Any

from changing_lives.observability.context import current

# Extra fields a log call may add (the request log line's); anything else passed in `extra`
# (Django passes the request object itself) is never written.
EXTRA_FIELDS = ("method", "status_code", "duration_ms")

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def context_fields(record: logging.LogRecord) -> dict[str, str | None]:
    """The request's fields for a record: from the record if a filter stamped it, else from
    the request being handled now."""
    context = current()
    return {
        "request_id": getattr(record, "request_id", None)
        or (context.request_id if context else None),
        "user_id": getattr(record, "user_id", None) or (context.user_id if context else None),
        "path": getattr(record, "path", None) or (context.path if context else None),
    }


def exception_summary(exc_info: ExcInfo) -> dict[str, Any]:
    """The exception's type, the types of its causes and its stack, without any message."""
    _, error, tb = exc_info
    chain: list[str] = []
    seen: BaseException | None = error
    while seen is not None and len(chain) < 10:
        chain.append(f"{type(seen).__module__}.{type(seen).__qualname__}")
        seen = seen.__cause__ or seen.__context__
    return {
        "type": chain[0],
        "causes": chain[1:],
        "stack": [
            f"{frame.filename}:{frame.lineno} in {frame.name}" for frame in traceback.extract_tb(tb)
        ],
    }


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **context_fields(record),
        }
        for name in EXTRA_FIELDS:
            value = getattr(record, name, None)
            if isinstance(value, str | int | float):
                entry[name] = value
        if record.exc_info and record.exc_info[0] is not None:
            entry["exception"] = exception_summary(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class PlainFormatter(logging.Formatter):
    """Development's format: readable, with the request id and user on each line. It prints
    exceptions in full, messages included: for development data only (LOG_FORMAT=json
    everywhere else)."""

    def __init__(self) -> None:
        super().__init__(
            "%(asctime)s %(levelname)s %(name)s [request=%(request_id)s user=%(user_id)s] "
            "%(message)s"
        )

    def format(self, record: logging.LogRecord) -> str:
        for name, value in context_fields(record).items():
            setattr(record, name, value or "-")
        return super().format(record)
