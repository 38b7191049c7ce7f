"""``crm throttle …`` and ``crm users unlock``: lift sign-in lock-outs, audited."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from crm_host.cli._common import host
from crm_host.core.db import utcnow
from crm_host.security import throttle


@click.group("throttle")
def group() -> None:
    """Sign-in throttling: failures counted per account and per client address."""


@group.command("list")
@with_appcontext
def list_entries() -> None:
    """Show counted accounts and addresses, locked ones first."""
    now = utcnow()
    rows = throttle.entries(host().session, now)
    if not rows:
        click.echo("No failed sign-ins are being counted.")
    for row in rows:
        locked = row.locked_until is not None and row.locked_until > now
        state = f"locked until {row.locked_until:%Y-%m-%d %H:%M:%S} UTC" if locked else "counting"
        click.echo(f"{row.key:<40} {row.failures:>5} failure(s)  {state}")


@group.command("clear")
@click.argument("address")
@with_appcontext
def clear_address(address: str) -> None:
    """Forget ADDRESS's failed sign-ins and lift its lock (audited)."""
    _clear(throttle.address_key(address), f"address {address}")


def _clear(key: str, label: str) -> None:
    session = host().session
    row = throttle.clear(session, key)
    session.commit()
    if row is None:
        click.echo(f"No failed sign-ins counted for {label}; nothing to do.")
    else:
        click.echo(f"Cleared {row.failures} failed sign-in(s) for {label}; it may sign in again.")


@click.command("unlock")
@click.argument("username")
@with_appcontext
def unlock_user(username: str) -> None:
    """Lift USERNAME's lock-out and forget its failed sign-ins (audited).

    The addresses the failures came from stay counted: `crm throttle list` shows
    them and `crm throttle clear ADDRESS` lifts one.
    """
    _clear(throttle.user_key(username), f"user {username}")
