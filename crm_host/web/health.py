"""Health and readiness endpoints, request ids and JSON logs for running behind a balancer.

``/healthz`` says the process answers (liveness); ``/readyz`` says it can serve:
the database answers and no migration is pending. Every answer carries an
``X-Request-Id`` (the caller's, or a new one) that the JSON log lines repeat.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Flask, g, jsonify, request
from werkzeug.wrappers import Response

from crm_host.host import get_host
from crm_host.permissions import public

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
    from crm_host import lifecycle, migrate
    from crm_host.plugins import order_plugins

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


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, and the request's fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("request_id", "method", "path", "status", "duration_ms", "user"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def init_app(app: Flask) -> None:
    """Register the endpoints, request ids and (with ``CRM_LOG_JSON``) JSON request logs."""
    app.register_blueprint(bp)

    @app.before_request
    def _request_id() -> None:
        incoming = request.headers.get("X-Request-Id", "")
        valid = 0 < len(incoming) <= _REQUEST_ID_MAX and incoming.isprintable()
        g.request_id = incoming if valid else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def _log(response: Response) -> Response:
        response.headers["X-Request-Id"] = g.get("request_id", "")
        if app.config.get("LOG_JSON"):
            from flask_login import current_user

            log.info(
                "request",
                extra={
                    "request_id": g.get("request_id"),
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round(
                        (time.perf_counter() - g.get("request_started", 0)) * 1000, 1
                    ),
                    "user": current_user.get_id()
                    if current_user and current_user.is_authenticated
                    else None,
                },
            )
        return response

    if app.config.get("LOG_JSON") and not log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(JsonFormatter())
        for name in ("crm_host", "gunicorn.error"):
            logging.getLogger(name).addHandler(handler)
        log.setLevel(logging.INFO)
