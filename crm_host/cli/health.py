"""``crm health worker|scheduler``: liveness checks a supervisor or a balancer runs."""

from __future__ import annotations

import socket

import click
from flask.cli import with_appcontext

from crm_host.cli._common import host
from crm_host.runtime import heartbeats
from crm_host.runtime.current import get_runtime


@click.group("health")
def group() -> None:
    """Liveness of the background processes, from their heartbeats (exit 0 alive, 1 not)."""


def _check(kind: str, max_age: float | None, this_host: bool) -> None:
    from flask import current_app

    current = host()
    timeout = max_age or get_runtime(current_app).settings.jobs_heartbeat_timeout
    hostname = socket.gethostname() if this_host else None
    found = heartbeats.beats(current.session, kind=kind, hostname=hostname)
    for beat in found:
        state = "alive" if beat.age_seconds <= timeout else "silent"
        click.echo(f"{beat.worker_id:<48} {state:<6} last beat {beat.age_seconds:.0f}s ago")
    if not heartbeats.alive(found, timeout):
        where = f" on {hostname}" if hostname else ""
        click.echo(f"no {kind}{where} has beaten in the last {timeout:.0f}s", err=True)
        raise SystemExit(1)


_max_age = click.option(
    "--max-age",
    type=click.FloatRange(min=1),
    help="Seconds a beat stays good (default: CRM_JOBS_HEARTBEAT_TIMEOUT, 120).",
)
_this_host = click.option("--this-host", is_flag=True, help="Only count processes on this machine.")


@group.command("worker")
@_max_age
@_this_host
@with_appcontext
def worker(max_age: float | None, this_host: bool) -> None:
    """Exit 0 when a `crm worker` beat recently, 1 when none did."""
    _check("worker", max_age, this_host)


@group.command("scheduler")
@_max_age
@_this_host
@with_appcontext
def scheduler(max_age: float | None, this_host: bool) -> None:
    """Exit 0 when a `crm scheduler` beat recently, 1 when none did."""
    _check("scheduler", max_age, this_host)
