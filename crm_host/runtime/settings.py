"""The runtime's settings, read once from the application's configuration.

Every value can be set as a ``CRM_*`` environment variable (``CRM_JOBS_BACKOFF=10``)
or in the instance config file (``JOBS_BACKOFF = 10``). Durations are in seconds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any


class SettingsError(ValueError):
    """A runtime setting has a value that cannot be used; the message names it."""


@dataclass(frozen=True)
class RuntimeSettings:
    """How the job queue, event delivery and webhooks behave."""

    #: First retry delay; each further attempt doubles it (exponential backoff).
    jobs_backoff: float = 30.0
    #: The longest delay between two attempts.
    jobs_backoff_max: float = 6 * 3600.0
    #: Attempts of a job before it is parked as failed (a job may register its own).
    jobs_max_attempts: int = 5
    #: Attempts of an event delivery to one plugin's implementation.
    events_max_attempts: int = 8
    #: Attempts of a webhook delivery.
    webhooks_max_attempts: int = 8
    #: How long a webhook receiver may take to answer.
    webhooks_timeout: float = 10.0
    #: Host names and networks (comma-separated) webhooks may reach although they are
    #: internal — loopback, private, link-local; see :mod:`crm_host.runtime.webhook_targets`.
    webhook_allowed_hosts: str | None = None
    #: How often a worker tells the database its claimed jobs are alive.
    jobs_heartbeat_interval: float = 15.0
    #: A running job whose worker has been silent this long is requeued (or parked).
    jobs_heartbeat_timeout: float = 120.0
    #: A job that met a locked database runs again after this long; the attempt is not spent.
    jobs_lock_retry: float = 5.0
    #: The stable part of a worker's id (with the machine's name): a worker restarted
    #: under it takes back the jobs its earlier start left running, without waiting
    #: for the heartbeat timeout. Give each worker on one machine its own.
    worker_name: str = "worker"
    #: How long an idle worker waits before looking for due jobs again.
    worker_poll_interval: float = 1.0
    #: Jobs a worker claims at once.
    worker_batch: int = 10
    #: How often ``crm scheduler`` (and the web process's thread) enqueues due schedules.
    scheduler_interval: float = 30.0
    #: Finished jobs and delivered events are kept this many days (``host.prune``).
    jobs_keep_days: float = 14.0
    #: Run a worker thread inside the web process; ``None``: on for SQLite.
    worker_thread: bool | None = None
    #: A Redis or RabbitMQ URL: jobs go through Celery instead of polling workers.
    broker_url: str | None = None
    #: Redis only: an unacknowledged task is handed to another worker after this long.
    #: Longer than the longest job attempt, or a running job is delivered twice (the
    #: second delivery finds it claimed and does nothing, but it is wasted work).
    broker_visibility_timeout: float = 3600.0
    #: The broker queue jobs travel on; installations sharing a broker need their own.
    broker_queue: str = "crm"
    #: How often ``crm scheduler`` hands due jobs to the broker (Celery backend).
    dispatch_interval: float = 0.5
    #: A queued job handed to the broker this long ago and still not started is handed
    #: over again (a message lost between the database commit and the broker).
    redispatch_after: float = 300.0

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> RuntimeSettings:
        """Read the settings from a Flask config; a bad value raises :class:`SettingsError`."""
        values: dict[str, Any] = {}
        for field in fields(cls):
            key = field.name.upper()
            if key not in config or config[key] is None:
                continue
            raw = config[key]
            values[field.name] = _coerce(key, raw, field.type)
        return cls(**values)


def _coerce(key: str, raw: Any, kind: Any) -> Any:
    kind = str(kind)
    if kind.startswith("str"):
        return str(raw).strip() or None
    if kind.startswith("bool"):
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in ("1", "true", "yes", "on"):
            return True
        if text in ("0", "false", "no", "off"):
            return False
        raise SettingsError(f"CRM_{key} must be true or false, not {raw!r}")
    try:
        value = int(raw) if kind == "int" else float(raw)
    except (TypeError, ValueError):
        unit = "a whole number" if kind == "int" else "a number of seconds"
        raise SettingsError(f"CRM_{key} must be {unit}, not {raw!r}") from None
    if value <= 0:
        raise SettingsError(f"CRM_{key} must be greater than zero, not {raw!r}")
    return value
