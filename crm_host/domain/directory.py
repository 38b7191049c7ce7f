"""Departments, users and memberships: the one place that creates and changes them."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.core.errors import Conflict, NotFound, ValidationFailed
from crm_host.core.models import Department, Membership, Role, RolePermission, User
from crm_host.records import audit
from crm_host.security import passwords
from crm_host.security.auth import hash_password

CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


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
    refused = passwords.problems(password, username=username)
    if refused:
        errors["password"] = refused
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
    from crm_host.security.permissions import STANDARD_ROLES

    created = []
    for name, (label, grants) in STANDARD_ROLES.items():
        if session.scalar(sa.select(Role.id).where(Role.name == name)) is None:
            role = Role(name=name, label=label)
            role.permissions = [RolePermission(permission=p, scope=s) for p, s in grants]
            session.add(role)
            created.append(name)
    session.flush()
    return created


def set_password(user: User, password: str) -> None:
    """Give ``user`` a new password (argon2-hashed); refused when :mod:`crm_host.security.passwords`
    finds it too short, too common, breached or the user's own name."""
    refused = passwords.problems(password, username=user.username)
    if refused:
        raise ValidationFailed("the password cannot be used", details={"password": refused})
    user.password_hash = hash_password(password)
    # Whoever signed in with the old password is signed out.
    user.session_epoch = (user.session_epoch or 0) + 1


def set_memberships(session: Session, user: User, memberships: list[dict[str, Any]]) -> None:
    """Replace the user's memberships with ``memberships`` (``department`` code or name,
    optional ``role`` name); nothing changes when one of them names an unknown one."""
    errors: dict[str, list[str]] = {}
    wanted: list[tuple[Department, Role | None]] = []
    for index, item in enumerate(memberships):
        try:
            department = get_department(session, item["department"])
        except NotFound as error:
            errors[f"memberships.{index}.department"] = [error.message]
            continue
        role = None
        if item.get("role"):
            role = session.scalar(sa.select(Role).where(Role.name == item["role"]))
            if role is None:
                errors[f"memberships.{index}.role"] = [f"No role {item['role']!r}."]
                continue
        wanted.append((department, role))
    if errors:
        raise ValidationFailed("the memberships are not valid", details=errors)
    session.execute(sa.delete(Membership).where(Membership.user_id == user.id))
    for department, role in wanted:
        session.add(
            Membership(
                user_id=user.id, department_id=department.id, role_id=role.id if role else None
            )
        )
    session.flush()
    session.expire(user, ["memberships"])


def add_user(session: Session, data: dict[str, Any]) -> User:
    """Create a user from an API-shaped ``data`` (``UserIn``) with its memberships, audited."""
    user = create_user(
        session,
        username=data["username"],
        password=data["password"],
        name=data.get("name", ""),
        email=data.get("email"),
        is_admin=data.get("is_admin", False),
    )
    set_memberships(session, user, data.get("memberships", []))
    audit.record(
        session,
        "create",
        "user",
        user.id,
        after={k: v for k, v in data.items() if k != "password"},
    )
    return user


def update_user(session: Session, user: User, data: dict[str, Any]) -> None:
    """Change a user from an API-shaped ``data`` (``UserPatch``): name, email, active,
    admin, password, memberships — audited, the password only as "changed"."""
    for key in ("name", "email", "is_active", "is_admin"):
        if key in data:
            setattr(user, key, data[key])
    if "password" in data:
        set_password(user, data["password"])
    if "memberships" in data:
        set_memberships(session, user, data["memberships"])
    audit.record(
        session,
        "update",
        "user",
        user.id,
        after={k: v for k, v in data.items() if k != "password"}
        | ({"password": "changed"} if "password" in data else {}),
    )


def role_summary(role: Role) -> dict[str, Any]:
    """A role as the API shows it: name, label and its grants with their scopes."""
    return {
        "id": role.id,
        "name": role.name,
        "label": role.label,
        "permissions": [{"permission": p.permission, "scope": p.scope} for p in role.permissions],
    }


def create_role(
    session: Session, *, name: str, label: str = "", permissions: list[dict[str, str]]
) -> Role:
    """Create a role granting permissions (or patterns) with a scope each, audited.

    Every pattern must match a declared permission, so a typo cannot grant nothing.
    """
    from crm_host.core.scopes import registry

    if session.scalar(sa.select(Role.id).where(Role.name == name)):
        raise Conflict(f"a role named {name!r} exists already", details={"name": ["Taken."]})
    errors = {
        f"permissions.{i}.permission": ["Matches no declared permission."]
        for i, grant in enumerate(permissions)
        if not registry(session).matching(grant["permission"])
    }
    if errors:
        raise ValidationFailed("the role is not valid", details=errors)
    role = Role(name=name, label=label)
    role.permissions = [
        RolePermission(permission=g["permission"], scope=g.get("scope", "all")) for g in permissions
    ]
    session.add(role)
    session.flush()
    audit.record(session, "create", "role", role.id, after=role_summary(role))
    return role
