"""Departments, users, roles and memberships under ``/api/v1/``."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
import sqlalchemy as sa
from flask.views import MethodView
from flask_smorest import Blueprint

from crm_host.core.errors import NotFound
from crm_host.core.fields import Id
from crm_host.core.host import get_host
from crm_host.core.models import Department, Role, User
from crm_host.core.scopes import registry
from crm_host.domain import directory as service
from crm_host.records import audit
from crm_host.security.permissions import require

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
        user = service.add_user(session, data)
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
        session = get_host().session
        user = session.get(User, user_id)
        if user is None:
            raise NotFound(f"no user with id {user_id}")
        service.update_user(session, user, data)
        session.commit()
        return user


@blp.route("/roles")
class Roles(MethodView):
    @require("host.directory.read")
    @blp.response(200, RoleSchema(many=True))
    def get(self) -> list[dict[str, Any]]:
        """Every role with the permissions (or patterns) and scopes it grants."""
        roles = get_host().session.scalars(sa.select(Role).order_by(Role.name))
        return [service.role_summary(r) for r in roles]

    @require("host.roles.manage")
    @blp.arguments(RoleSchema)
    @blp.response(201, RoleSchema)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Create a role granting permissions (or patterns of them) with a scope each."""
        session = get_host().session
        role = service.create_role(
            session, name=data["name"], label=data["label"], permissions=data["permissions"]
        )
        session.commit()
        return service.role_summary(role)


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
