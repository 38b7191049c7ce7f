"""``crm customers …``: merge (and the data commands that join it)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from crm_host.cli._common import host
from crm_host.cli.importing import import_file, import_options
from crm_host.core.errors import CrmError
from crm_host.core.models import Customer
from crm_host.domain.customers import dedupe, export
from crm_host.domain.customers.merge import merge_customers


@click.group("customers")
def group() -> None:
    """Customers: merge duplicates, import, export."""


def _by_code(session: sa.orm.Session, code: str) -> Customer:
    customer = session.scalar(sa.select(Customer).where(Customer.code == code))
    if customer is None:
        raise click.ClickException(f"no customer with code {code!r}")
    return customer


@group.command("merge")
@click.argument("survivor")
@click.argument("merged")
@with_appcontext
def merge(survivor: str, merged: str) -> None:
    """Merge customer MERGED into SURVIVOR (codes); SURVIVOR is kept."""
    session = host().session
    try:
        kept = merge_customers(session, _by_code(session, survivor), _by_code(session, merged))
        session.commit()
    except CrmError as error:
        session.rollback()
        raise click.ClickException(error.message) from error
    click.echo(f"Merged {merged} into {kept.code}.")


@group.command("export")
@click.option(
    "--format", "fmt", type=click.Choice(export.FORMATS), default="csv", show_default=True
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True),
    help="File to write (default: standard output).",
)
@click.option("--archived/--no-archived", default=False, help="Include archived customers.")
@click.option(
    "--reveal",
    is_flag=True,
    help="Phone and ID numbers in full, not masked (audited as a revealed export).",
)
@with_appcontext
def export_command(fmt: str, output: str | None, archived: bool, reveal: bool) -> None:
    """Export customers as CSV (UTF-8 with BOM), JSON Lines or XLSX.

    Phone and ID numbers are masked as the API masks them unless --reveal is given.
    """
    session = host().session
    if fmt == "xlsx" and not output and sys.stdout.isatty():
        raise click.ClickException("XLSX is binary: give --output FILE")
    options: dict[str, Any] = {"reveal": reveal, "include_archived": archived}
    if output:
        with open(output, "wb") as out:
            count = export.export(session, out, fmt, **options)
    else:
        stream = sys.stdout.buffer
        count = export.export(session, stream, fmt, **options)
        stream.flush()
    session.commit()
    shown = "in full" if reveal else "phone and ID numbers masked"
    click.echo(
        f"Exported {count} customers ({shown})" + (f" to {output}." if output else "."), err=True
    )


@group.command("dedupe")
@click.option(
    "--by",
    "keys",
    multiple=True,
    type=click.Choice(dedupe.KEYS),
    help="Keys to compare (default: all of email, phone, code, name).",
)
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 1_000_000))
@with_appcontext
def dedupe_command(keys: tuple[str, ...], limit: int) -> None:
    """List groups of likely duplicate customers; merge them with `crm customers merge A B`."""
    session = host().session
    groups = dedupe.find_duplicates(session, keys or dedupe.KEYS)
    codes = {i: c for i, c in session.execute(sa.select(Customer.id, Customer.code))}
    for group_ in groups[:limit]:
        members = ", ".join(codes[i] for i in group_.customer_ids)
        click.echo(f"{group_.key:<6} {group_.value:<32} {members}")
    click.echo(f"{len(groups)} group(s) of candidates.", err=True)


@group.command("import")
@import_options
@with_appcontext
def import_command(file: Path, **options: Any) -> None:
    """Import customers from CSV (UTF-8 or GB18030), JSON Lines or XLSX.

    The header uses the API's field names (code,name,kind,email,phone,city,…).
    Rows are upserted on code; refused rows go to the rejects file with their line
    and reason. Killed half-way, running the same command again resumes.
    """
    import_file("customers", file, **options)
