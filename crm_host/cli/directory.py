"""``crm departments …`` and ``crm users …``."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from crm_host.cli._common import fail, host
from crm_host.core.errors import CrmError
from crm_host.core.models import Department, User
from crm_host.domain import directory as service


@click.group("departments")
def departments() -> None:
    """Departments of the company."""


@departments.command("list")
@with_appcontext
def list_departments() -> None:
    """List departments."""
    for dept in host().session.scalars(sa.select(Department).order_by(Department.name)):
        click.echo(f"{dept.code:<20} {dept.name}")


@departments.command("create")
@click.argument("code")
@click.argument("name")
@with_appcontext
def create_department(code: str, name: str) -> None:
    """Create a department with a CODE (used in commands) and a display NAME."""
    session = host().session
    try:
        service.create_department(session, code=code, name=name)
        session.commit()
    except CrmError as error:
        raise fail(error) from error
    click.echo(f"Created department {code}.")


@click.group("users")
def users() -> None:
    """Staff who sign in."""


@users.command("list")
@with_appcontext
def list_users() -> None:
    """List users and their departments."""
    session = host().session
    for user in session.scalars(sa.select(User).order_by(User.username)):
        depts = ", ".join(sorted(m.department.name for m in user.memberships))
        flags = " (admin)" if user.is_admin else ""
        click.echo(f"{user.username:<20} {user.name:<24} {depts or '-'}{flags}")


@users.command("create")
@click.argument("username")
@click.option("--name", default="", help="Display name.")
@click.option("--email", default=None)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--department", "departments", multiple=True, help="Department code or name.")
@click.option(
    "--role",
    default="agent",
    show_default=True,
    help="Role in those departments (manager, agent, viewer…).",
)
@click.option("--admin", is_flag=True, help="Make the user an administrator.")
@with_appcontext
def create_user(
    username: str,
    name: str,
    email: str | None,
    password: str,
    departments: tuple[str, ...],
    role: str,
    admin: bool,
) -> None:
    """Create a user, optionally a member of departments."""
    session = host().session
    try:
        service.create_user(
            session,
            username=username,
            name=name,
            email=email,
            password=password,
            departments=departments,
            is_admin=admin,
            role=role if departments else None,
        )
        session.commit()
    except CrmError as error:
        raise fail(error) from error
    click.echo(f"Created user {username}.")


@users.command("join")
@click.argument("username")
@click.argument("departments", nargs=-1, required=True)
@click.option("--role", default="agent", show_default=True, help="Role in those departments.")
@with_appcontext
def join(username: str, departments: tuple[str, ...], role: str) -> None:
    """Add a user to departments, or change their role there."""
    session = host().session
    try:
        user = service.get_user(session, username)
        role_row = service.get_role(session, role)
        for ref in departments:
            service.add_membership(session, user, service.get_department(session, ref), role_row)
        session.commit()
    except CrmError as error:
        raise fail(error) from error
    click.echo(f"{username} now belongs to {', '.join(departments)}.")
