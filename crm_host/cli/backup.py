"""``crm backup`` and ``crm restore``."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from crm_host import backup as backups
from crm_host.cli._common import host


def attachments_dir() -> Path:
    """The attachments folder of the current app (``CRM_ATTACHMENTS_DIR``)."""
    configured = current_app.config.get("ATTACHMENTS_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "attachments"


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(file: Path) -> None:
    """Write every table and attachment to FILE (a zip that restores on SQLite or PostgreSQL)."""
    report = backups.backup(host().db, file, attachments_dir())
    rows = sum(report.tables.values())
    click.echo(
        f"Backed up {rows} rows in {len(report.tables)} tables and {report.attachments} "
        f"attachment(s) to {file}."
    )


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def restore_command(file: Path) -> None:
    """Restore FILE into the configured database, which must be empty."""
    current = host()
    try:
        report = backups.restore(current.db, file, current.discovery, attachments_dir())
    except backups.BackupError as error:
        raise click.ClickException(f"restore failed, nothing was changed: {error}") from error
    click.echo(
        f"Restored {sum(report.tables.values())} rows in {len(report.tables)} tables and "
        f"{report.attachments} attachment(s). Restart web and worker processes."
    )
