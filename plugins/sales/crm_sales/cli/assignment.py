"""``crm sales assignment …``: how new leads find an owner, per department."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import AppGroup
from sqlalchemy.orm import Session

from crm_host.sdk import CrmError, User, fail, get_host
from crm_host.sdk import validation as check
from crm_sales import assignment, checks


@click.group("assignment", cls=AppGroup)
def assignment_group() -> None:
    """How new leads find an owner, per department."""


def _department(session: Session, value: str) -> int:
    """The id of the department given by id, code or name; the command stops if none."""
    errors: check.Errors = {}
    found = checks.department_id(session, value, "department", errors)
    if found is None:
        raise click.ClickException(f"no department {value!r}")
    return found


@assignment_group.command("show")
@click.argument("department")
def show_assignment(department: str) -> None:
    """The method, then each seller: username, open leads and deals, capacity."""
    session = get_host().session
    summary = assignment.overview(session, _department(session, department))
    click.echo(f"method\t{summary['method']}")
    for seller in summary["sellers"]:
        cap = "-" if seller["capacity"] is None else seller["capacity"]
        click.echo(f"{seller['username']}\t{seller['open']}\t{cap}")


@assignment_group.command("method")
@click.argument("department")
@click.argument("method", type=click.Choice(["round_robin", "least_loaded"]))
def set_method(department: str, method: str) -> None:
    """Assign the department's new leads round-robin or to the least loaded seller."""
    session = get_host().session
    assignment.set_method(session, _department(session, department), method)
    session.commit()
    click.echo(f"{department}: {method}")


@assignment_group.command("capacity")
@click.argument("username")
@click.argument("capacity")
def set_capacity(username: str, capacity: str) -> None:
    """Cap a seller's open leads and deals (a number, or "none" to lift the cap)."""
    session = get_host().session
    user = session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"no user {username!r}")
    if capacity != "none" and not capacity.isdigit():
        raise click.ClickException(f"capacity {capacity!r}: a whole number, or none")
    try:
        assignment.set_capacity(session, user.id, None if capacity == "none" else int(capacity))
        session.commit()
    except CrmError as error:
        session.rollback()
        raise fail(error) from error
    click.echo(f"{username}: capacity {capacity}")
