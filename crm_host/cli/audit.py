"""``crm audit``: search the audit log."""

from __future__ import annotations

import json
from datetime import datetime

import click
from flask.cli import with_appcontext

from crm_host.api.audit import search
from crm_host.cli._common import host
from crm_host.core.models import AuditLog


@click.command("audit")
@click.option("--object-type", help="customer, contact, user, plugin…")
@click.option("--object-id")
@click.option("--actor", help="Username, or 'system'.")
@click.option("--action", help="create, update, archive, merge, import…")
@click.option("--plugin")
@click.option("--since", type=click.DateTime(), help="UTC, e.g. 2026-11-01 or 2026-11-01T08:00:00.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--json", "as_json", is_flag=True, help="One JSON object a line.")
@with_appcontext
def audit(
    object_type, object_id, actor, action, plugin, since: datetime | None, limit, as_json
) -> None:
    """Search the audit log, newest first."""
    from datetime import UTC

    args = {
        "object_type": object_type,
        "object_id": object_id,
        "actor": actor,
        "action": action,
        "plugin": plugin,
        "since": since.replace(tzinfo=UTC) if since else None,
    }
    query = search(args).order_by(AuditLog.id.desc()).limit(limit)
    for entry in host().session.scalars(query):
        record = {
            "id": entry.id,
            "at": entry.occurred_at.isoformat(),
            "actor": entry.actor,
            "action": entry.action,
            "object": f"{entry.object_type}:{entry.object_id}",
            "plugin": entry.plugin,
            "rows": entry.row_count,
            "before": entry.before,
            "after": entry.after,
        }
        if as_json:
            click.echo(json.dumps(record, ensure_ascii=False))
        else:
            change = json.dumps(entry.after, ensure_ascii=False) if entry.after else ""
            click.echo(
                f"{record['at'][:19]}  {entry.actor:<12} {entry.action:<8} {record['object']:<20} "
                f"{change[:80]}"
            )
