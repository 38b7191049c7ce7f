"""``crm calendars …``: the business calendars SLA clocks count in."""

from __future__ import annotations

import json
from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from crm_host.cli._common import host
from crm_host.core.models import SlaCalendar
from crm_host.domain.sla import BusinessCalendar
from crm_host.domain.sla.store import calendar_row, save_calendar


@click.group("calendars")
def group() -> None:
    """Business calendars: working hours, holidays and make-up days per timezone."""


@group.command("list")
@with_appcontext
def list_calendars() -> None:
    """List calendars."""
    for row in host().session.scalars(sa.select(SlaCalendar).order_by(SlaCalendar.name)):
        definition = row.definition
        click.echo(
            f"{row.name:<20} {definition['timezone']:<18} "
            f"{len(definition.get('holidays', []))} holiday(s), "
            f"{len(definition.get('workdays', []))} make-up day(s)"
        )


@group.command("add")
@click.argument("name")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def add(name: str, file: Path) -> None:
    """Create or replace calendar NAME from a JSON FILE (timezone, hours, holidays, workdays)."""
    try:
        calendar = BusinessCalendar.from_dict(json.loads(file.read_text(encoding="utf-8")))
    except (ValueError, TypeError) as error:
        raise click.ClickException(f"{file}: {error}") from error
    session = host().session
    save_calendar(session, name, calendar)
    session.commit()
    click.echo(f"Saved calendar {name}.")


@group.command("show")
@click.argument("name")
@with_appcontext
def show(name: str) -> None:
    """Print a calendar as JSON (the form `add` reads)."""
    try:
        row = calendar_row(host().session, name)
    except Exception as error:
        raise click.ClickException(str(error)) from error
    click.echo(json.dumps(row.definition, indent=2, ensure_ascii=False))


@group.command("holidays")
@click.argument("name")
@click.option(
    "--add",
    "added",
    multiple=True,
    type=click.DateTime(["%Y-%m-%d"]),
    help="A holiday (YYYY-MM-DD); repeat for more.",
)
@click.option(
    "--workday",
    "workdays",
    multiple=True,
    type=click.DateTime(["%Y-%m-%d"]),
    help="A make-up working day (调休), YYYY-MM-DD; repeat for more.",
)
@with_appcontext
def holidays(name: str, added: tuple, workdays: tuple) -> None:
    """Add holidays and make-up working days to a calendar."""
    session = host().session
    row = calendar_row(session, name)
    definition = dict(row.definition)
    definition["holidays"] = sorted(
        {*definition.get("holidays", []), *(d.date().isoformat() for d in added)}
    )
    definition["workdays"] = sorted(
        {*definition.get("workdays", []), *(d.date().isoformat() for d in workdays)}
    )
    try:
        calendar = BusinessCalendar.from_dict(definition)
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    save_calendar(session, name, calendar)
    session.commit()
    click.echo(
        f"{name}: {len(definition['holidays'])} holiday(s), {len(definition['workdays'])} make-up day(s)."
    )
