"""Finding the runtime of an application or a session.

The runtime's modules (queue workers, the scheduler, the outbox, webhooks, the broker)
ask for the runtime that :mod:`crm_host.runtime.service` builds; they find it here, in
the application's extensions, so that none of them imports the service module that
imports them.
"""

from __future__ import annotations

from typing import Protocol

from flask import Flask, current_app
from sqlalchemy.orm import Session

from crm_host.core.host import Host
from crm_host.runtime.registry import JobRegistry
from crm_host.runtime.settings import RuntimeSettings

EXTENSION = "crm_runtime"


class Runtime(Protocol):
    """What the runtime's modules read of the runtime of an application: the
    :class:`crm_host.runtime.service.Runtime` that the service builds, described here
    so that they need not import the service that imports them."""

    app: Flask
    host: Host
    settings: RuntimeSettings
    jobs: JobRegistry
    #: Deliver events right after commit, in the committing thread.
    inline: bool

    def events_committed(self) -> None:
        """Called after a transaction that emitted events committed."""


def get_runtime(app: Flask | None = None) -> Runtime:
    """The runtime of ``app`` (or of the current application)."""
    return (app or current_app).extensions[EXTENSION]


def runtime_of(session: Session) -> Runtime:
    """The runtime of the application a session belongs to."""
    runtime = session.info.get("crm_runtime")
    return runtime if runtime is not None else get_runtime()
