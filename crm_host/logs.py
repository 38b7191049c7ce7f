"""Process logging: one JSON object a line (``CRM_LOG_JSON``), tagged with the request id.

Every line a process writes while it serves a request carries that request's id —
the access line, the application's own lines and an error's traceback alike — so one
search for the id finds everything the request did. The id lives in a context
variable that the web layer sets for the length of a request; worker lines carry
none.

:func:`configure` is idempotent: calling it again (a second ``create_app``, a worker
that builds its own app) replaces the one handler it installed instead of adding
another, and the ``crm_host`` logger stops propagating to the root logger, whose
handlers (gunicorn's, Celery's, ``logging.basicConfig``) would print every line again.
"""

from __future__ import annotations

import contextvars
import json
import logging
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

#: The id of the request being served by this thread or task, if any.
request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "crm_request_id", default=None
)

#: Record attributes copied into the JSON object when a line carries them.
FIELDS = ("request_id", "method", "path", "route", "status", "duration_ms", "user", "remote")
_HANDLER_NAME = "crm-json"
_LOGGERS = ("crm_host",)


def utc_timestamp(created: float) -> str:
    """ISO-8601 UTC with milliseconds: ``2026-12-07T16:34:13.123Z``."""
    moment = datetime.fromtimestamp(created, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def path_without_values(path: str, query: str) -> str:
    """The path with the query's parameter names but not their values: ``/c?q=…&limit=…``.

    Values carry personal data (a phone number searched for, an e-mail address), and
    the access log is kept longer and read by more people than the database.
    """
    if not query:
        return path
    try:
        names = [name for name, _value in parse_qsl(query, keep_blank_values=True)]
    except ValueError:  # unparseable: say there was a query, show none of it
        return f"{path}?…"
    return f"{path}?" + "&".join(f"{name}=…" for name in names) if names else f"{path}?…"


class RequestIdFilter(logging.Filter):
    """Adds the current request's id to every record that has none."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, the request's fields, error."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": utc_timestamp(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in FIELDS:
            value = getattr(record, key, None)
            if value is not None:
                entry[key] = value
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["error"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False, default=str)


def make_handler(stream: Any = None) -> logging.Handler:
    """A stream handler (stderr by default) writing JSON lines with request ids."""
    handler = logging.StreamHandler(stream)
    handler.set_name(_HANDLER_NAME)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    return handler


def configure(json_lines: bool, *, level: int = logging.INFO, stream: Any = None) -> None:
    """Send the ``crm_host`` loggers' lines through one JSON handler of ours, exactly once.

    Without ``json_lines`` our handler is removed and lines propagate as Python's
    defaults have them (an embedding application or a test runner decides).
    """
    for name in _LOGGERS:
        logger = logging.getLogger(name)
        for old in [h for h in logger.handlers if h.get_name() == _HANDLER_NAME]:
            logger.removeHandler(old)
        if not json_lines:
            logger.propagate = True
            continue
        logger.addHandler(make_handler(stream))
        logger.setLevel(level)
        # Our handler prints the line; the root logger's would print it again.
        logger.propagate = False
