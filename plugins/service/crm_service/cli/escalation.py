"""``crm service sla steps|add-step``: the escalation chain (added to the ``sla`` group
by :mod:`.sla`)."""

from __future__ import annotations

from typing import Any

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from crm_host.sdk import Department, User, ValidationFailed, get_host
from crm_service import chain, sla
from crm_service.cli.common import run
from crm_service.models import EscalationStep


@click.command("steps")
@with_appcontext
def steps() -> None:
    """List the escalation chain, soonest step first."""
    rows = (
        get_host()
        .session.scalars(
            sa.select(EscalationStep).order_by(EscalationStep.after_minutes, EscalationStep.id)
        )
        .all()
    )
    if not rows:
        click.echo("No escalation chain: a breach raises the priority once and notifies.")
    for row in rows:
        actions = [
            *(["raise priority"] if row.raise_priority else []),
            *([f"to queue {row.department_id}"] if row.department_id else []),
            *([f"to user {row.assignee_id}"] if row.assignee_id else []),
            *(["notify"] if row.notify else []),
        ]
        click.echo(
            f"{row.name:<24} after {row.after_minutes:>6} min overdue: {', '.join(actions)}"
            + ("" if row.active else " (inactive)")
        )


@click.command("add-step")
@click.argument("name")
@click.option(
    "--after",
    "after_minutes",
    type=click.IntRange(0, sla.MAX_MINUTES),
    required=True,
    help="Minutes overdue before the step applies.",
)
@click.option("--raise-priority", is_flag=True, help="Raise the priority one step.")
@click.option("--queue", help="Code of the department whose queue takes the ticket.")
@click.option("--assignee", help="Username of who takes the ticket.")
@click.option("--notify/--no-notify", default=True, show_default=True)
@with_appcontext
def add_step(
    name: str,
    after_minutes: int,
    raise_priority: bool,
    queue: str | None,
    assignee: str | None,
    notify: bool,
) -> None:
    """Add escalation step NAME to the chain."""

    def work(session: Any) -> Any:
        data: dict[str, Any] = {
            "name": name,
            "after_minutes": after_minutes,
            "raise_priority": raise_priority,
            "notify": notify,
        }
        if queue:
            department = session.scalar(sa.select(Department).where(Department.code == queue))
            if department is None:
                raise ValidationFailed(
                    f"no department {queue!r}", details={"queue": ["Unknown department."]}
                )
            data["department_id"] = department.id
        if assignee:
            user = session.scalar(sa.select(User).where(User.username == assignee))
            if user is None:
                raise ValidationFailed(
                    f"no user {assignee!r}", details={"assignee": ["Unknown user."]}
                )
            data["assignee_id"] = user.id
        return chain.save_step(session, data)

    run(work)
    click.echo(f"Saved escalation step {name}.")
