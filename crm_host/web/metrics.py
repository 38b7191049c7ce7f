"""``/metrics`` for Prometheus and ``/healthz/workers``, for monitoring only.

Requests are counted by route (the URL rule, ``/api/v1/customers/<id:customer_id>``,
never the raw path, so ids do not explode the label set) and status, with a latency
histogram. The background work's gauges come from the database at scrape time
(:mod:`crm_host.runtime.gauges`), right whichever process answers.

Under gunicorn with several workers, set ``PROMETHEUS_MULTIPROC_DIR`` to an empty
folder: each process then writes its request counts there and a scrape adds them
up (prometheus_client's multiprocess mode).

Who may read: with ``CRM_METRICS_TOKEN`` set, a caller sending
``Authorization: Bearer <token>``; without it, only a direct connection from this
machine (loopback, no ``X-Forwarded-For``: a local reverse proxy forwarding a
request from outside does not count).
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import time

from flask import Blueprint, Flask, current_app, g, jsonify, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from werkzeug.wrappers import Response

from crm_host.core.host import get_host
from crm_host.runtime import heartbeats
from crm_host.runtime.gauges import RuntimeCollector
from crm_host.security.permissions import public

bp = Blueprint("metrics", __name__)
_EXTENSION = "crm_metrics"
UNMATCHED = "<unmatched>"


class RequestMetrics:
    """The per-process request counter and latency histogram of one application."""

    def __init__(self) -> None:
        # Not registered anywhere: each scrape puts them into a registry of its own,
        # so building the app twice (tests, the CLI) never registers a name twice.
        self.requests = Counter(
            "crm_http_requests",
            "HTTP requests answered, by route and status",
            ["method", "route", "status"],
            registry=None,
        )
        self.latency = Histogram(
            "crm_http_request_duration_seconds",
            "Time to answer a request, by route",
            ["method", "route"],
            registry=None,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
        )

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        """Count one answered request."""
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)


def _allowed() -> bool:
    token = current_app.config.get("METRICS_TOKEN")
    if token:
        sent = request.headers.get("Authorization", "")
        return hmac.compare_digest(sent.encode(), f"Bearer {token}".encode())
    if "X-Forwarded-For" in request.headers or "Forwarded" in request.headers:
        return False
    try:
        return ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        return False


def _refused() -> tuple[Response, int]:
    return jsonify(
        code=403,
        message="Metrics are for this machine only, or for callers with CRM_METRICS_TOKEN.",
    ), 403


@bp.route("/metrics")
@public
def metrics() -> Response | tuple[Response, int]:
    """The Prometheus text exposition of requests, jobs, outbox and heartbeats."""
    if not _allowed():
        return _refused()
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        own: RequestMetrics = current_app.extensions[_EXTENSION]
        registry.register(own.requests)
        registry.register(own.latency)
    registry.register(RuntimeCollector(get_host().session, _timeout()))
    return Response(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)


@bp.route("/healthz/workers")
@public
def workers() -> Response | tuple[Response, int]:
    """Heartbeat age of each worker and scheduler; 503 when no worker beats."""
    if not _allowed():
        return _refused()
    timeout = _timeout()
    found = heartbeats.beats(get_host().session)
    alive = heartbeats.alive(found, timeout)
    body = {
        "status": "ok" if any(b.kind == "worker" for b in alive) else "no live worker",
        "timeout_seconds": timeout,
        "processes": [
            {
                "id": b.worker_id,
                "kind": b.kind,
                "age_seconds": round(b.age_seconds, 1),
                "alive": b in alive,
            }
            for b in found
        ],
    }
    return jsonify(body), 200 if body["status"] == "ok" else 503


def _timeout() -> float:
    from crm_host.runtime.current import get_runtime

    return get_runtime(current_app).settings.jobs_heartbeat_timeout


def init_app(app: Flask) -> None:
    """Mount the endpoints and count every request the app answers."""
    app.register_blueprint(bp)
    own = app.extensions[_EXTENSION] = RequestMetrics()

    def _started() -> None:
        g.metrics_started = time.perf_counter()

    # First, so requests answered early by a gate are counted too.
    app.before_request_funcs.setdefault(None, []).insert(0, _started)

    @app.after_request
    def _count(response: Response) -> Response:
        started = g.get("metrics_started")
        if started is not None:
            route = request.url_rule.rule if request.url_rule else UNMATCHED
            own.observe(request.method, route, response.status_code, time.perf_counter() - started)
        return response
