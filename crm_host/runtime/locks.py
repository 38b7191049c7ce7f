"""Telling a lock wait from a real failure, and retrying the queue's own writes past one.

SQLite has one writer at a time: while an import or an export holds the write lock,
another writer waits ``busy_timeout`` and then gets ``database is locked``. PostgreSQL
answers a deadlock or a lock it may not wait for with its own errors. None of these say
anything about the job or the write that met them — the same statement succeeds once
the other writer is done — so the queue treats them as "try again shortly", never as a
failed attempt.
"""

from __future__ import annotations

import functools
import logging
import random
import sqlite3
import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar

log = logging.getLogger("crm_host.runtime")

#: SQLite's messages for a lock it could not get within the busy timeout.
SQLITE_LOCK_MESSAGES = ("database is locked", "database table is locked")
#: PostgreSQL: serialization_failure, deadlock_detected, lock_not_available.
POSTGRESQL_LOCK_STATES = ("40001", "40P01", "55P03")
#: Tries of a queue write that meets a lock, the first pause (doubled each time) and
#: the longest: some 20 s of pauses besides the busy timeout each try waits itself.
WRITE_TRIES = 14
FIRST_PAUSE = 0.05
LONGEST_PAUSE = 2.0

P = ParamSpec("P")
R = TypeVar("R")


def is_lock_error(error: BaseException) -> bool:
    """Whether ``error`` (or what it wraps) is a lock wait that ran out, not a real failure."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if _is_lock(current):
            return True
        # SQLAlchemy keeps the driver's exception as ``orig``; ``raise … from`` as the
        # cause. Not the context: an error raised while handling a lock is its own.
        current = getattr(current, "orig", None) or current.__cause__
    return False


def _is_lock(error: BaseException) -> bool:
    if isinstance(error, sqlite3.OperationalError):
        message = str(error).lower()
        return any(text in message for text in SQLITE_LOCK_MESSAGES)
    state = getattr(error, "sqlstate", None) or getattr(error, "pgcode", None)
    return state in POSTGRESQL_LOCK_STATES


def retry_on_lock(function: Callable[P, R]) -> Callable[P, R]:
    """Run ``function`` again, after a growing jittered pause, when it meets a lock.

    Only for functions that run a whole transaction of their own (they take a session
    factory): a retry then starts from nothing. After the last try the error is raised.
    """

    @functools.wraps(function)
    def retrying(*args: P.args, **kwargs: P.kwargs) -> R:
        for attempt in range(1, WRITE_TRIES + 1):
            try:
                return function(*args, **kwargs)
            except Exception as error:
                if attempt == WRITE_TRIES or not is_lock_error(error):
                    raise
                pause = min(LONGEST_PAUSE, FIRST_PAUSE * 2 ** (attempt - 1))
                log.info("%s met a lock (%s); again in %.2fs", function.__name__, error, pause)
                # Jitter: two writers that met each other must not meet again in step.
                time.sleep(pause * (0.5 + random.random()))
        raise AssertionError("unreachable")

    return retrying
