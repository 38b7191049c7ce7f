"""Health and readiness endpoints, request ids and JSON logs for running behind a balancer.

``/healthz`` says the process answers (liveness); ``/readyz`` says it can serve:
the database answers and no migration is pending. Every answer carries an
``X-Request-Id`` (the caller's, or a new one) that the JSON log lines repeat.
"""

from __future__ import annotations

import logging
import time
import uuid

import sqlalchemy as sa
from flask import Blueprint, Flask, g, jsonify, request
from werkzeug.wrappers import Response

from crm_host import logs
from crm_host.core.host import get_host
from crm_host.security.permissions import public

bp = Blueprint("health", __name__)
log = logging.getLogger("crm_host.requests")
_REQUEST_ID_MAX = 128


@bp.route("/healthz")
@public
def healthz() -> Response:
    """Liveness: the process answers."""
    return jsonify(status="ok")


@bp.route("/readyz")
@public
def readyz() -> tuple[Response, int]:
    """Readiness: the database answers and every installed branch is migrated."""
    from crm_host.core import migrate
    from crm_host.domain import lifecycle
    from crm_host.plugins.facade import order_plugins

    host = get_host()
    try:
        with host.db.engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
        names = [n for n in lifecycle.installed_names(host.db) if n in host.discovery.manifests]
        pending = [
            s.branch
            for s in migrate.branch_states(host.db, order_plugins(host.discovery.manifests, names))
            if s.pending
        ]
    except Exception as error:  # any failure means "not ready", with the reason
        return jsonify(status="unavailable", reason=type(error).__name__), 503
    if pending:
        return jsonify(status="unavailable", reason="migrations pending", branches=pending), 503
    return jsonify(status="ready"), 200


def _incoming_request_id() -> str:
    # A caller's id is kept when it is short and printable (it ends up in log lines
    # and a response header); anything else gets a fresh one.
    incoming = request.headers.get("X-Request-Id", "")
    if 0 < len(incoming) <= _REQUEST_ID_MAX and incoming.isprintable():
        return incoming
    return uuid.uuid4().hex


def _user_id() -> str | None:
    from flask_login import current_user

    try:
        return current_user.get_id() if current_user.is_authenticated else None
    except Exception:  # no user loader reached (an error before sign-in ran)
        return None


def init_app(app: Flask) -> None:
    """Register the endpoints, request ids and (with ``CRM_LOG_JSON``) JSON request logs."""
    app.register_blueprint(bp)
    json_lines = bool(app.config.get("LOG_JSON"))
    logs.configure(json_lines)
    if json_lines:
        # Flask adds its own stderr handler to the app's logger ("crm_host") when it
        # finds none; ours prints those lines already.
        from flask.logging import default_handler

        logging.getLogger("crm_host").removeHandler(default_handler)

    def _request_id() -> None:
        g.request_id = _incoming_request_id()
        g.request_id_token = logs.request_id.set(g.request_id)
        g.request_started = time.perf_counter()

    # First of all before-request functions: a sign-in gate that answers early still
    # answers with the id, and its log lines carry it.
    app.before_request_funcs.setdefault(None, []).insert(0, _request_id)

    @app.after_request
    def _log(response: Response) -> Response:
        response.headers["X-Request-Id"] = g.get("request_id", "")
        if json_lines:
            log.info(
                "request",
                extra={
                    "method": request.method,
                    "path": logs.path_without_values(
                        request.path, request.query_string.decode("latin-1")
                    ),
                    "route": request.url_rule.rule if request.url_rule else None,
                    "status": response.status_code,
                    "duration_ms": round(
                        (time.perf_counter() - g.get("request_started", time.perf_counter()))
                        * 1000,
                        1,
                    ),
                    "user": _user_id(),
                    "remote": request.remote_addr,
                },
            )
        return response

    @app.teardown_request
    def _forget_request_id(_error: BaseException | None) -> None:
        token = g.pop("request_id_token", None)
        if token is not None:
            try:
                logs.request_id.reset(token)
            except ValueError:  # torn down in another context (a streamed answer)
                logs.request_id.set(None)
