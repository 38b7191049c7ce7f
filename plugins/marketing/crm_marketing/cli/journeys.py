"""``crm marketing journeys …``: list, create and run journeys, and the events that start them."""

from __future__ import annotations

import json

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from crm_host.sdk import CrmError, fail, get_host
from crm_marketing import journeys, triggers
from crm_marketing.models import Journey


@click.group("journeys", cls=AppGroup)
def journeys_group() -> None:
    """Journeys."""


@journeys_group.command("list")
def list_journeys() -> None:
    """Every journey: id, status, trigger, steps, customers in it, name."""
    session = get_host().session
    for journey in session.scalars(sa.select(Journey).order_by(Journey.id)):
        places = journeys.positions(session, journey)
        end = places[-1]
        inside = sum(p["waiting"] for p in places) + end["done"] + end["exited"] + end["converted"]
        if journey.trigger == "segment":
            trigger = f"segment {journey.segment_id}"
        elif journey.event_value is not None:
            trigger = f"{journey.event}={journey.event_value}"
        else:
            trigger = str(journey.event)
        click.echo(
            f"{journey.id}\t{journey.status}\t{trigger}\t{len(journey.steps)} steps\t"
            f"{inside}\t{journey.name}"
        )


@journeys_group.command("events")
def journey_events() -> None:
    """The events a journey may start from: name, publisher, what it lets you choose."""
    for trigger in triggers.available(get_host().session):
        choice = f"{trigger.option}: {', '.join(trigger.choices)}" if trigger.choices else ""
        click.echo(f"{trigger.event}\t{trigger.plugin or 'host'}\t{trigger.label}\t{choice}")


@journeys_group.command("create")
@click.argument("definition")
def create_journey(definition: str) -> None:
    """Create a journey from JSON: name, trigger, segment_id or event (and event_value),
    steps, goal, status."""
    session = get_host().session
    try:
        data = json.loads(definition)
    except ValueError as error:
        raise click.ClickException(f"the journey is not JSON: {error}") from None
    if not isinstance(data, dict):
        raise click.ClickException("the journey is a JSON object")
    try:
        journey = journeys.create_journey(session, data)
    except CrmError as error:
        raise fail(error) from None
    session.commit()
    click.echo(f"journey {journey.id} {journey.status}: {journey.name}")


@journeys_group.command("advance")
def advance() -> None:
    """Run every active journey now: enrol, then move each due customer on."""
    session = get_host().session
    ran = 0
    for journey in session.scalars(
        sa.select(Journey).where(Journey.status == "active").order_by(Journey.id)
    ).all():
        while (moved := journeys.advance(session, journey)) > 0:
            ran += moved
            session.commit()
            if moved < journeys.BATCH:
                break
    session.commit()
    click.echo(f"moved {ran} customers on")
