"""The per-application host object: database, plugins and the request's session."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy.orm import Session

from crm_host.db import Database
from crm_host.plugins import PluginManager


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
            g.crm_session = self.db.session_factory()
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


def host_of(session: Session) -> Host:
    """The host a session belongs to (works without an application context)."""
    host = session.info.get("crm_host")
    return host if host is not None else get_host()


def get_host(app: Flask | None = None) -> Host:
    """The host of ``app``, or of the current application."""
    return (app or current_app).extensions["crm"]
