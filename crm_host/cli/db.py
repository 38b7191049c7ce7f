"""``crm db …``: migrations by branch."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from crm_host.cli._common import host
from crm_host.core import migrate
from crm_host.core.objects.indexes import missing_search_indexes
from crm_host.domain import lifecycle


def _installed_manifests() -> list:
    current = host()
    return lifecycle.present_installed(current.db, current.discovery)


@click.group("db")
def group() -> None:
    """Database migrations: the host's branch and one per installed plugin."""


@group.command("upgrade")
@click.argument("target", default="heads")
@with_appcontext
def upgrade(target: str) -> None:
    """Upgrade to TARGET: `heads` (default), `host@head`, `sales@head`…"""
    try:
        migrate.upgrade(host().db, _installed_manifests(), target)
    except Exception as error:
        raise click.ClickException(
            f"upgrade to {target} failed, nothing changed: {error}"
        ) from error
    click.echo(f"Upgraded to {target}.")


@group.command("downgrade")
@click.argument("target")
@with_appcontext
def downgrade(target: str) -> None:
    """Downgrade to TARGET, which names a branch: `host@-1`, `sales@base`…"""
    try:
        migrate.downgrade(host().db, _installed_manifests(), target)
    except Exception as error:
        raise click.ClickException(
            f"downgrade to {target} failed, nothing changed: {error}"
        ) from error
    click.echo(f"Downgraded to {target}.")


@group.command("current")
@with_appcontext
def current() -> None:
    """Show each branch's current revision and head."""
    for state in migrate.branch_states(host().db, _installed_manifests()):
        flag = " (pending)" if state.pending else ""
        click.echo(f"{state.branch:<12} {state.current or '-':<12} head {state.head}{flag}")


@group.command("check")
@with_appcontext
def check() -> None:
    """Fail (exit 1) when migrations are pending or the schema differs from the models
    (a missing index included, and on PostgreSQL a missing search index)."""
    current = host()
    manifests = _installed_manifests()
    problems = [
        f"{s.branch}: at {s.current or 'nothing'}, head is {s.head} (run crm db upgrade)"
        for s in migrate.branch_states(current.db, manifests)
        if s.pending
    ]
    if not problems:
        installed = {m.name for m in manifests}
        absent = [
            f"{m.slug}_" for m in current.discovery.manifests.values() if m.name not in installed
        ]
        problems = migrate.schema_drift(current.db, absent)
        problems += missing_search_indexes(current.db.engine, current.objects)
    for problem in problems:
        click.echo(f"problem: {problem}")
    if problems:
        raise SystemExit(1)
    click.echo("Database is up to date with every installed branch and the models.")
