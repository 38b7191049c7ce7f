"""Departments, users and memberships: the one place that creates and changes them."""

from __future__ import annotations

import re
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.auth import hash_password
from crm_host.errors import Conflict, NotFound, ValidationFailed
from crm_host.models import Department, Membership, Role, RolePermission, User

CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
MIN_PASSWORD_LENGTH = 8


def get_department(session: Session, ref: str) -> Department:
    """The department with this code or name."""
    dept = session.scalar(
        sa.select(Department).where(sa.or_(Department.code == ref, Department.name == ref))
    )
    if dept is None:
        raise NotFound(f"no department {ref!r} (give its code or its name)")
    return dept


def create_department(session: Session, *, code: str, name: str) -> Department:
    """Create a department; codes are lower-case slugs, names unique."""
    if not CODE_RE.match(code):
        raise ValidationFailed(
            f"department code {code!r} must be lower-case letters, digits, - or _",
            details={"code": ["Use lower-case letters, digits, - or _."]},
        )
    if not name.strip():
        raise ValidationFailed("a department needs a name", details={"name": ["Required."]})
    clash = session.scalar(
        sa.select(Department).where(sa.or_(Department.code == code, Department.name == name))
    )
    if clash is not None:
        raise Conflict(f"a department with code {code!r} or name {name!r} exists already")
    dept = Department(code=code, name=name.strip())
    session.add(dept)
    session.flush()
    return dept


def get_user(session: Session, username: str) -> User:
    """The user with this username."""
    user = session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"no user {username!r}")
    return user


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    name: str = "",
    email: str | None = None,
    departments: Iterable[str] = (),
    is_admin: bool = False,
    role: str | None = None,
) -> User:
    """Create a user with an argon2-hashed password, member of ``departments`` with ``role``."""
    errors: dict[str, list[str]] = {}
    if not username or len(username) > 150 or not username.isprintable() or " " in username:
        errors["username"] = ["1–150 printable characters without spaces."]
    if len(password) < MIN_PASSWORD_LENGTH:
        errors["password"] = [f"At least {MIN_PASSWORD_LENGTH} characters."]
    if errors:
        raise ValidationFailed("the user is not valid", details=errors)
    if session.scalar(sa.select(User.id).where(User.username == username)) is not None:
        raise Conflict(f"user {username!r} exists already")
    user = User(
        username=username,
        name=name,
        email=email,
        password_hash=hash_password(password),
        is_admin=is_admin,
    )
    session.add(user)
    session.flush()
    role_row = get_role(session, role) if role else None
    for ref in departments:
        add_membership(session, user, get_department(session, ref), role_row)
    return user


def add_membership(
    session: Session, user: User, department: Department, role: Role | None = None
) -> None:
    """Make ``user`` a member of ``department`` with ``role`` (or change the role)."""
    membership = session.get(Membership, (user.id, department.id))
    if membership is None:
        session.add(
            Membership(
                user_id=user.id, department_id=department.id, role_id=role.id if role else None
            )
        )
    elif role is not None:
        membership.role_id = role.id
    session.flush()
    session.expire(user, ["memberships"])


def get_role(session: Session, name: str) -> Role:
    """The role with this name."""
    role = session.scalar(sa.select(Role).where(Role.name == name))
    if role is None:
        raise NotFound(f"no role {name!r}")
    return role


def ensure_standard_roles(session: Session) -> list[str]:
    """Create the standard roles (manager, agent, viewer) that do not exist yet."""
    from crm_host.permissions import STANDARD_ROLES

    created = []
    for name, (label, grants) in STANDARD_ROLES.items():
        if session.scalar(sa.select(Role.id).where(Role.name == name)) is None:
            role = Role(name=name, label=label)
            role.permissions = [RolePermission(permission=p, scope=s) for p, s in grants]
            session.add(role)
            created.append(name)
    session.flush()
    return created
