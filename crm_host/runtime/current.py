"""Finding the runtime of an application or a session.

The runtime's modules (queue workers, the scheduler, the outbox, webhooks, the broker)
ask for the runtime that :mod:`crm_host.runtime.service` builds; they find it here, in
the application's extensions, so that none of them imports the service module that
imports them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask, current_app
from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from crm_host.runtime.service import Runtime

EXTENSION = "crm_runtime"


def get_runtime(app: Flask | None = None) -> Runtime:
    """The runtime of ``app`` (or of the current application)."""
    return (app or current_app).extensions[EXTENSION]


def runtime_of(session: Session) -> Runtime:
    """The runtime of the application a session belongs to."""
    runtime = session.info.get("crm_runtime")
    return runtime if runtime is not None else get_runtime()
