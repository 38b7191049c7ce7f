"""``crm power inspections …``: plan key customers' inspections, record them, list
the overdue ones and run the overdue check by hand."""

from __future__ import annotations

from datetime import date

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from crm_host.sdk import CrmError, User, fail, get_host, utcnow
from crm_industry_power import inspections
from crm_industry_power.models import INSPECTION_KINDS, INSPECTION_RESULTS, Account, InspectionPlan
from crm_industry_power.zones import company_timezone


def _user_id(username: str | None) -> int | None:
    if username is None:
        return None
    user_id = get_host().session.scalar(sa.select(User.id).where(User.username == username))
    if user_id is None:
        raise click.BadParameter(f"no user {username!r}")
    return user_id


def _today() -> date:
    return utcnow().astimezone(company_timezone()).date()


def _line(plan: InspectionPlan, number: str, today: date) -> str:
    target = f"equipment {plan.equipment_id}" if plan.equipment_id else "service point"
    late = " OVERDUE" if inspections.is_overdue(plan, today) else ""
    return (
        f"{plan.id}\t{number}\t{target}\tevery {plan.interval_days} days\t"
        f"due {plan.next_due.isoformat()}{late}"
    )


@click.group("inspections", cls=AppGroup)
def group() -> None:
    """Inspection plans and records (巡查 / 检查) of key customers."""


@group.command("plan")
@click.argument("account_number")
@click.option(
    "--every",
    "interval",
    type=click.IntRange(1, 1830),
    required=True,
    help="Days between inspections.",
)
@click.option(
    "--due",
    type=click.DateTime(["%Y-%m-%d"]),
    required=True,
    help="The first due date (YYYY-MM-DD).",
)
@click.option("--responsible", default=None, help="Username told when it is overdue.")
@click.option(
    "--equipment",
    type=click.IntRange(1),
    default=None,
    help="An equipment id at the service point (default: the whole point).",
)
def plan_command(
    account_number: str, interval: int, due, responsible: str | None, equipment: int | None
) -> None:
    """Plan an inspection of ACCOUNT_NUMBER's service point every N days."""
    session = get_host().session
    account_id = session.scalar(sa.select(Account.id).where(Account.number == account_number))
    if account_id is None:
        raise click.ClickException(f"no account {account_number}")
    try:
        plan = inspections.save_plan(
            session,
            {
                "account_id": account_id,
                "equipment_id": equipment,
                "interval_days": interval,
                "next_due": due.date(),
                "responsible_id": _user_id(responsible),
            },
        )
        session.commit()
    except CrmError as error:
        session.rollback()
        raise fail(error) from None
    click.echo(f"plan {plan.id}: next inspection due {plan.next_due.isoformat()}")


@group.command("record")
@click.argument("plan_id", type=click.IntRange(1, 2**31 - 1))
@click.option("--result", type=click.Choice(INSPECTION_RESULTS), required=True)
@click.option("--kind", type=click.Choice(INSPECTION_KINDS), default="patrol", show_default=True)
@click.option(
    "--date",
    "on",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="When it was done (default: today).",
)
@click.option("--inspector", default=None, help="Username of who inspected.")
@click.option("--findings", default="", help="What was found.")
@click.option("--follow-up", default=None, help="What must happen next.")
def record_command(
    plan_id: int,
    result: str,
    kind: str,
    on,
    inspector: str | None,
    findings: str,
    follow_up: str | None,
) -> None:
    """Record an inspection under PLAN_ID; the plan's due date moves on."""
    session = get_host().session
    today = _today()
    try:
        plan = inspections.get_plan(session, plan_id)
        inspections.record(
            session,
            plan,
            {
                "kind": kind,
                "result": result,
                "inspected_on": on.date() if on else today,
                "inspector_id": _user_id(inspector),
                "findings": findings,
                "follow_up": follow_up,
            },
            today=today,
        )
        session.commit()
    except CrmError as error:
        session.rollback()
        raise fail(error) from None
    click.echo(f"plan {plan.id}: next inspection due {plan.next_due.isoformat()}")


@group.command("list")
@click.option("--overdue", is_flag=True, help="Only plans whose due date has passed.")
def list_command(overdue: bool) -> None:
    """Inspection plans by due date."""
    session = get_host().session
    today = _today()
    rows = inspections.plans(session, overdue_on=today if overdue else None, limit=10_000)
    numbers = dict(session.execute(sa.select(Account.id, Account.number)).all())
    for plan in rows:
        click.echo(_line(plan, numbers[plan.account_id], today))
    if not rows:
        click.echo("no inspection plans" + (" overdue" if overdue else ""))


@group.command("check")
def check_command() -> None:
    """Flag overdue plans now (the schedule does this hourly); safe to repeat."""
    session = get_host().session
    flagged = inspections.flag_overdue(session, _today())
    session.commit()
    click.echo(f"{len(flagged)} plan(s) newly flagged overdue")
