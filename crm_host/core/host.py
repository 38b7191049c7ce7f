"""The per-application host object: database, plugins and the request's session."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import Flask, current_app, g
from sqlalchemy.orm import Session

from crm_host.core.db import Database
from crm_host.plugins.facade import PluginManager

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class Host:
    """Everything an application of crm-host carries, stored in ``app.extensions["crm"]``."""

    db: Database
    plugins: PluginManager
    #: Plugin name → the click group named by its slug (or the error group of a broken plugin).
    command_groups: dict[str, Any] = field(default_factory=dict)
    #: Why plugins were not loaded, when the app was built in safe mode.
    load_error: str | None = None
    #: What plugin discovery found (manifests of present distributions).
    discovery: Any = None
    #: Every permission declared by the host and the loaded plugins.
    permissions: Any = None
    #: Every registered object type (:class:`crm_host.core.objects.ObjectRegistry`).
    objects: Any = None
    #: Registered blueprint name → the plugin that contributed it.
    blueprint_owners: dict[str, str] = field(default_factory=dict)
    #: Functions ``(session, personal_values)`` that scrub host-owned stores (outbox,
    #: notifications…) during an erasure; each runtime service adds its own.
    scrubbers: list[Any] = field(default_factory=list)

    @property
    def session(self) -> Session:
        """The session of the current application context, opened on first use.

        It is closed (and anything uncommitted rolled back) when the context ends.
        """
        if "crm_session" not in g:
            reading = g.get("crm_read_only", False)
            g.crm_session = self.db.reading_session() if reading else self.db.session_factory()
        return g.crm_session

    def init_app(self, app: Flask) -> None:
        """Attach the host to ``app`` and close the context's session at teardown."""
        app.extensions["crm"] = self
        self.db.info["crm_host"] = self

        @app.teardown_appcontext
        def _close_session(_exc: BaseException | None) -> None:
            session = g.pop("crm_session", None)
            if session is not None:
                session.close()


def read_only(view: F) -> F:
    """Decorate a view that never writes: its request's session reads without the write lock.

    On SQLite a session takes the write lock when it begins, so that a later write
    cannot fail; a view that only reads (a list, a detail) need not wait for it, and
    readers then run side by side. It must be the outermost decorator, so that the
    mark is set before anything (the token check) opens the session; a session
    opened earlier stays as it was.
    """

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        g.crm_read_only = True
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def host_of(session: Session) -> Host:
    """The host a session belongs to (works without an application context)."""
    host = session.info.get("crm_host")
    return host if host is not None else get_host()


def get_host(app: Flask | None = None) -> Host:
    """The host of ``app``, or of the current application."""
    return (app or current_app).extensions["crm"]
