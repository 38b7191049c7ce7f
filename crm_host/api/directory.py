"""Departments, users, roles and memberships under ``/api/v1/``."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
import sqlalchemy as sa
from flask.views import MethodView
from flask_smorest import Blueprint

from crm_host import audit
from crm_host import directory as service
from crm_host.api.fields import Id
from crm_host.errors import Conflict, NotFound, ValidationFailed
from crm_host.host import get_host
from crm_host.models import Department, Membership, Role, RolePermission, User
from crm_host.permissions import registry, require

blp = Blueprint("directory", __name__, description="Departments, users and roles")


class DepartmentSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    code = ma.fields.String(required=True, metadata={"example": "sales"})
    name = ma.fields.String(required=True, metadata={"example": "Sales"})


class MembershipSchema(ma.Schema):
    department = ma.fields.String(required=True, metadata={"description": "Code or name"})
    role = ma.fields.String(allow_none=True, metadata={"description": "Role name"})


class UserOut(ma.Schema):
    id = ma.fields.Integer()
    username = ma.fields.String()
    name = ma.fields.String()
    email = ma.fields.String(allow_none=True)
    is_active = ma.fields.Boolean()
    is_admin = ma.fields.Boolean()
    memberships = ma.fields.Function(
        lambda u: [
            {"department": m.department.code, "role": m.role.name if m.role else None}
            for m in u.memberships
        ]
    )


class UserIn(ma.Schema):
    username = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=150))
    password = ma.fields.String(
        required=True, load_only=True, validate=ma.validate.Length(max=1024)
    )
    name = ma.fields.String(load_default="", validate=ma.validate.Length(max=200))
    email = ma.fields.Email(allow_none=True, validate=ma.validate.Length(max=320))
    is_admin = ma.fields.Boolean(load_default=False)
    memberships = ma.fields.List(ma.fields.Nested(MembershipSchema), load_default=list)


class UserPatch(ma.Schema):
    name = ma.fields.String(validate=ma.validate.Length(max=200))
    email = ma.fields.Email(allow_none=True, validate=ma.validate.Length(max=320))
    is_active = ma.fields.Boolean()
    is_admin = ma.fields.Boolean()
    password = ma.fields.String(load_only=True, validate=ma.validate.Length(min=8, max=1024))
    memberships = ma.fields.List(ma.fields.Nested(MembershipSchema))


class GrantSchema(ma.Schema):
    permission = ma.fields.String(
        required=True,
        validate=ma.validate.Length(min=1, max=200),
        metadata={"description": "A permission or a pattern: host.customers.read, *.read"},
    )
    scope = ma.fields.String(
        load_default="all", validate=ma.validate.OneOf(["own", "department", "all"])
    )


class RoleSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    name = ma.fields.String(
        required=True,
        validate=ma.validate.Regexp(r"^[a-z][a-z0-9_-]{0,63}$", error="Lower-case name, ≤64."),
    )
    label = ma.fields.String(load_default="", validate=ma.validate.Length(max=200))
    permissions = ma.fields.List(ma.fields.Nested(GrantSchema), load_default=list)


class PermissionOut(ma.Schema):
    name = ma.fields.String()
    label = ma.fields.String()
    record_rules = ma.fields.Boolean()
    owner = ma.fields.String()


def _role_out(role: Role) -> dict[str, Any]:
    return {
        "id": role.id,
        "name": role.name,
        "label": role.label,
        "permissions": [{"permission": p.permission, "scope": p.scope} for p in role.permissions],
    }


def _set_memberships(session: Any, user: User, memberships: list[dict[str, Any]]) -> None:
    errors: dict[str, list[str]] = {}
    wanted: list[tuple[Department, Role | None]] = []
    for index, item in enumerate(memberships):
        try:
            department = service.get_department(session, item["department"])
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


@blp.route("/departments")
class Departments(MethodView):
    @require("host.directory.read")
    @blp.response(200, DepartmentSchema(many=True))
    def get(self) -> list[Department]:
        """Every department."""
        return list(get_host().session.scalars(sa.select(Department).order_by(Department.name)))

    @require("host.users.manage")
    @blp.arguments(DepartmentSchema)
    @blp.response(201, DepartmentSchema)
    def post(self, data: dict[str, Any]) -> Department:
        """Create a department."""
        session = get_host().session
        department = service.create_department(session, code=data["code"], name=data["name"])
        audit.record(session, "create", "department", department.id, after=data)
        session.commit()
        return department


@blp.route("/users")
class Users(MethodView):
    @require("host.directory.read")
    @blp.response(200, UserOut(many=True))
    def get(self) -> list[User]:
        """Every user with their memberships."""
        return list(get_host().session.scalars(sa.select(User).order_by(User.username)))

    @require("host.users.manage")
    @blp.arguments(UserIn)
    @blp.response(201, UserOut)
    def post(self, data: dict[str, Any]) -> User:
        """Create a user, with memberships (department and role)."""
        session = get_host().session
        user = service.create_user(
            session,
            username=data["username"],
            password=data["password"],
            name=data["name"],
            email=data.get("email"),
            is_admin=data["is_admin"],
        )
        _set_memberships(session, user, data["memberships"])
        audit.record(
            session,
            "create",
            "user",
            user.id,
            after={k: v for k, v in data.items() if k != "password"},
        )
        session.commit()
        return user


@blp.route("/users/<id:user_id>")
class UserResource(MethodView):
    @require("host.directory.read")
    @blp.response(200, UserOut)
    def get(self, user_id: int) -> User:
        """A user."""
        user = get_host().session.get(User, user_id)
        if user is None:
            raise NotFound(f"no user with id {user_id}")
        return user

    @require("host.users.manage")
    @blp.arguments(UserPatch)
    @blp.response(200, UserOut)
    def patch(self, data: dict[str, Any], user_id: int) -> User:
        """Change a user: name, email, active, admin, password, memberships."""
        from crm_host.auth import hash_password

        session = get_host().session
        user = session.get(User, user_id)
        if user is None:
            raise NotFound(f"no user with id {user_id}")
        for key in ("name", "email", "is_active", "is_admin"):
            if key in data:
                setattr(user, key, data[key])
        if "password" in data:
            user.password_hash = hash_password(data["password"])
        if "memberships" in data:
            _set_memberships(session, user, data["memberships"])
        audit.record(
            session,
            "update",
            "user",
            user.id,
            after={k: v for k, v in data.items() if k != "password"}
            | ({"password": "changed"} if "password" in data else {}),
        )
        session.commit()
        return user


@blp.route("/roles")
class Roles(MethodView):
    @require("host.directory.read")
    @blp.response(200, RoleSchema(many=True))
    def get(self) -> list[dict[str, Any]]:
        """Every role with the permissions (or patterns) and scopes it grants."""
        roles = get_host().session.scalars(sa.select(Role).order_by(Role.name))
        return [_role_out(r) for r in roles]

    @require("host.roles.manage")
    @blp.arguments(RoleSchema)
    @blp.response(201, RoleSchema)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Create a role granting permissions (or patterns of them) with a scope each."""
        session = get_host().session
        if session.scalar(sa.select(Role.id).where(Role.name == data["name"])):
            raise Conflict(
                f"a role named {data['name']!r} exists already", details={"name": ["Taken."]}
            )
        errors = {
            f"permissions.{i}.permission": ["Matches no declared permission."]
            for i, grant in enumerate(data["permissions"])
            if not registry().matching(grant["permission"])
        }
        if errors:
            raise ValidationFailed("the role is not valid", details=errors)
        role = Role(name=data["name"], label=data["label"])
        role.permissions = [
            RolePermission(permission=g["permission"], scope=g["scope"])
            for g in data["permissions"]
        ]
        session.add(role)
        session.flush()
        audit.record(session, "create", "role", role.id, after=_role_out(role))
        session.commit()
        return _role_out(role)


@blp.route("/permissions")
class Permissions(MethodView):
    @require("host.directory.read")
    @blp.response(200, PermissionOut(many=True))
    def get(self) -> list[dict[str, Any]]:
        """Every permission declared by the host and the installed plugins."""
        reg = registry()
        return [
            {
                "name": p.name,
                "label": p.label,
                "record_rules": p.record_rules,
                "owner": reg.owners[p.name],
            }
            for p in reg.permissions.values()
        ]


__all__ = ["Id", "blp"]
