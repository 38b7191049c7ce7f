"""``crm marketing segments …``: list segments and preview who they hold."""

from __future__ import annotations

import json

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from crm_host.sdk import CrmError, fail, get_host
from crm_marketing import segments
from crm_marketing.models import Segment
from crm_marketing.rules import compile_rules


@click.group("segments", cls=AppGroup)
def segments_group() -> None:
    """Segments and static lists."""


@segments_group.command("list")
def list_segments() -> None:
    """Every segment: id, kind, current size, name."""
    session = get_host().session
    for segment in session.scalars(sa.select(Segment).order_by(Segment.id)):
        try:
            size = str(segments.count(session, segments.condition_for(session, segment)))
        except CrmError as error:
            size = f"invalid ({error.message})"
        click.echo(f"{segment.id}\t{segment.kind}\t{size}\t{segment.name}")


@segments_group.command("preview")
@click.argument("segment", required=False)
@click.option("--rules", help="A rule tree as JSON, instead of a saved segment.")
@click.option("--sample", default=10, show_default=True, type=click.IntRange(0, 1000))
def preview(segment: str | None, rules: str | None, sample: int) -> None:
    """How many customers a segment (id or name) or a JSON rule tree holds, and who."""
    session = get_host().session
    try:
        if rules is not None:
            try:
                tree = json.loads(rules)
            except ValueError as error:
                raise click.ClickException(f"--rules is not JSON: {error}") from None
            condition = compile_rules(session, tree)
        elif segment is not None:
            found = session.scalar(
                sa.select(Segment).where(
                    (Segment.id == int(segment)) if segment.isdigit() else (Segment.name == segment)
                )
            )
            if found is None:
                raise click.ClickException(f"no segment {segment}")
            condition = segments.condition_for(session, found)
        else:
            raise click.UsageError("name a segment or give --rules")
        click.echo(f"{segments.count(session, condition)} customers")
        for customer in segments.sample(session, condition, sample):
            click.echo(f"{customer.id}\t{customer.code}\t{customer.name}")
    except CrmError as error:
        raise fail(error) from None
