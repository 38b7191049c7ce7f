"""Admin pages of the console: plugins, departments, users and roles, tokens, custom
fields, the audit log and background jobs.

Like the rest of the console these pages hold no rules of their own: a form becomes
the payload the API's schema loads, the host's service does the work (and refuses
with per-field messages), and the same audit entries are written as through the API.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

import marshmallow as ma
import sqlalchemy as sa
from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from crm_host.api.audit import AuditQuery
from crm_host.api.audit import search as audit_search
from crm_host.api.custom_fields import CustomFieldSchema
from crm_host.api.directory import DepartmentSchema, RoleSchema, UserIn, UserPatch
from crm_host.api.tokens import TokenIn
from crm_host.console._access import allowed, page
from crm_host.console.forms import field_errors, split_list
from crm_host.core.db import utcnow
from crm_host.core.errors import CrmError, NotFound, ValidationFailed
from crm_host.core.host import get_host
from crm_host.core.migrate import MigrationError
from crm_host.core.models import (
    ApiToken,
    AuditLog,
    Department,
    FieldType,
    Job,
    Membership,
    Role,
    User,
)
from crm_host.core.models.runtime import JOB_STATUSES
from crm_host.core.pagination import newest_first
from crm_host.domain import directory as people
from crm_host.domain import lifecycle
from crm_host.domain.customers import custom_fields
from crm_host.plugins.facade import PluginError
from crm_host.records import audit
from crm_host.runtime import queue
from crm_host.runtime.api import JobQuery, job_query
from crm_host.security import tokens

bp = Blueprint("admin", __name__, url_prefix="/admin")

#: How job states and custom field types read in the console.
JOB_STATUS_LABELS = {
    "queued": _l("Queued"),
    "running": _l("Running"),
    "done": _l("Done"),
    "failed": _l("Failed (parked)"),
}
FIELD_TYPE_LABELS = {
    "text": _l("Text"),
    "number": _l("Number"),
    "date": _l("Date"),
    "boolean": _l("Yes or no"),
    "choice": _l("Choice"),
}

#: What the token form proposes: the API's default lifetime.
TOKEN_DAYS = str(TokenIn().fields["expires_in_days"].load_default)

T = TypeVar("T")
Errors = dict[str, list[str]]
PAGE_SIZE = 50


class Section(NamedTuple):
    """An admin section on the index: where it is, what it is for, who may open it."""

    endpoint: str
    title: str
    description: str
    permission: str


SECTIONS = (
    Section("admin.plugins", _l("Plugins"), _l("Install plugins and enable them per department."), "host.plugins.manage"),
    Section("admin.departments", _l("Departments"), _l("The departments users belong to."), "host.users.manage"),
    Section("admin.users", _l("Users"), _l("Accounts, passwords and memberships."), "host.users.manage"),
    Section("admin.roles", _l("Roles"), _l("What each role may do, and where."), "host.roles.manage"),
    Section("admin.api_tokens", _l("API tokens"), _l("Tokens other systems use to call the API."), "host.tokens.manage"),
    Section("admin.fields", _l("Custom fields"), _l("Fields the company adds to customers."), "host.custom_fields.manage"),
    Section("admin.audit_log", _l("Audit log"), _l("Who changed what, and when."), "host.audit.manage"),
    Section("admin.jobs", _l("Jobs"), _l("Background work; retry what failed."), "host.jobs.manage"),
)  # fmt: skip


# --- helpers -------------------------------------------------------------------------


def _flatten(messages: Any, prefix: str = "") -> Errors:
    """marshmallow's nested messages as ``field.0.sub`` → messages (the API's keys)."""
    if isinstance(messages, dict):
        flat: Errors = {}
        for key, value in messages.items():
            flat.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return {prefix: list(messages)}
    return {prefix: [str(messages)]}


def load(schema: ma.Schema, data: dict[str, Any]) -> dict[str, Any]:
    """Load form ``data`` with an API schema; refusals become a :class:`ValidationFailed`
    so the console handles them like a service's."""
    try:
        return schema.load(data, unknown=ma.EXCLUDE)
    except ma.ValidationError as error:
        raise ValidationFailed("the form is not valid", details=_flatten(error.messages)) from None


def attempt(action: Callable[[], T]) -> tuple[T | None, Errors]:
    """Run a write and commit it; on a refusal roll back and return the messages by field
    (or the overall message under ``""`` when it names no field)."""
    session = get_host().session
    try:
        result = action()
        session.commit()
    except CrmError as error:
        session.rollback()
        # Field messages sit next to their inputs; the overall message only says what
        # no field does (a duplicate, a plugin that cannot be enabled).
        return None, field_errors(error.details) or {"": [error.message]}
    return result, {}


def _form(*names: str) -> dict[str, str]:
    """The posted text fields ``names``, stripped."""
    return {name: request.form.get(name, "").strip() for name in names}


def _status(errors: Errors) -> int:
    return 422 if errors else 200


def _departments() -> list[Department]:
    return list(get_host().session.scalars(sa.select(Department).order_by(Department.name)))


def _roles() -> list[Role]:
    return list(get_host().session.scalars(sa.select(Role).order_by(Role.name)))


def _membership_choices() -> dict[str, list[tuple[str, str]]]:
    """The department and role choices of a membership form."""
    return {
        "department_choices": [(d.code, d.name) for d in _departments()],
        # The standard roles' labels are translated; a company's own read as written.
        "role_choices": [(r.name, _(r.label) if r.label else r.name) for r in _roles()],
    }


# --- index ---------------------------------------------------------------------------


@bp.route("")
@page()
def index() -> str:
    """The admin sections the user may open."""
    sections = [s for s in SECTIONS if allowed(s.permission)]
    return render_template("crm/admin/index.html", sections=sections)


# --- plugins -------------------------------------------------------------------------


def _plugin_rows() -> list[dict[str, Any]]:
    host = get_host()
    installed_now = set(lifecycle.installed_names(host.session))
    present = list(host.plugins.plugins.values())
    rows = lifecycle.describe_plugins(host.session, present)
    for plugin, row in zip(present, rows, strict=True):
        # The process loaded what was installed when it started; the database may differ.
        row["installed_now"] = row["name"] in installed_now
        row["label_zh"] = plugin.manifest.label_zh
    return rows


@bp.route("/plugins")
@page("host.plugins.manage")
def plugins() -> str:
    """Every plugin present: installed or not, loaded, and where it is enabled."""
    return render_template(
        "crm/admin/plugins.html",
        plugins=_plugin_rows(),
        problems=get_host().discovery.problems,
    )


def _plugin_row(name: str) -> dict[str, Any]:
    for row in _plugin_rows():
        if row["name"] == name:
            return row
    raise NotFound(f"no plugin named {name} is present")


def _render_plugin(name: str, errors: Errors | None = None) -> tuple[str, int]:
    row = _plugin_row(name)
    manifest = get_host().discovery.manifests[name]
    enabled = set(row["enabled_for"])
    departments = [(d, d.name in enabled) for d in _departments()]
    errors = errors or {}
    return render_template(
        "crm/admin/plugin.html",
        plugin=row,
        manifest=manifest,
        departments=departments,
        errors=errors,
    ), _status(errors)


@bp.route("/plugins/<string(maxlength=64):name>")
@page("host.plugins.manage")
def plugin(name: str) -> tuple[str, int]:
    """One plugin: its manifest and the departments it is enabled for."""
    return _render_plugin(name)


@bp.route("/plugins/<string(maxlength=64):name>/departments", methods=["POST"])
@page("host.plugins.manage")
def plugin_enablement(name: str) -> tuple[str, int] | Response:
    """Enable or disable a plugin for one department (requirements are checked)."""
    host = get_host()
    on = request.form.get("action") == "enable"
    department = request.form.get("department", "")
    changed, errors = attempt(
        lambda: lifecycle.change_enablement(host.session, host.discovery, name, [department], on=on)
    )
    if errors:
        # A refusal names the plugin and the department: one message above the table.
        return _render_plugin(name, {"": [m for ms in errors.values() for m in ms]})
    if not changed:
        flash(_("Nothing to change."), "info")
    elif on:
        flash(
            _(
                "Enabled %(plugin)s for %(departments)s.",
                plugin=name,
                departments=", ".join(changed),
            ),
            "success",
        )
    else:
        flash(
            _(
                "Disabled %(plugin)s for %(departments)s; its data is kept.",
                plugin=name,
                departments=", ".join(changed),
            ),
            "success",
        )
    return redirect(url_for("admin.plugin", name=name))


@bp.route("/plugins/<string(maxlength=64):name>/install", methods=["POST"])
@page("host.plugins.manage")
def plugin_install(name: str) -> Response:
    """Install a plugin (and what it requires): runs its migrations; a restart loads it."""
    host = get_host()
    # Migrations take the write lock on their own connection; end this request's
    # transaction first or, on SQLite, the two would wait for each other.
    host.session.commit()
    try:
        done = lifecycle.install(host.db, host.discovery, name)
    except (PluginError, MigrationError) as error:
        flash(_("Not installed: %(reason)s", reason=str(error)), "error")
        return redirect(url_for("admin.plugins"))
    if not done:
        flash(_("%(plugin)s is installed already.", plugin=name), "info")
        return redirect(url_for("admin.plugins"))
    audit.record(host.session, "install", "plugin", name, after={"installed": done})
    host.session.commit()
    flash(
        _(
            "Installed %(plugins)s. Restart web and worker processes (crm serve, crm worker) to pick this up.",
            plugins=", ".join(done),
        ),
        "success",
    )
    return redirect(url_for("admin.plugin", name=name))


def _uninstall_plan(name: str) -> tuple[lifecycle.UninstallPlan | None, str | None]:
    host = get_host()
    try:
        return lifecycle.plan_uninstall(host.db, host.discovery, name), None
    except PluginError as error:
        return None, str(error)


@bp.route("/plugins/<string(maxlength=64):name>/uninstall", methods=["GET", "POST"])
@page("host.plugins.manage")
def plugin_uninstall(name: str) -> tuple[str, int] | Response:
    """The uninstall dry run (tables, rows, references); typing the name confirms it."""
    host = get_host()
    _plugin_row(name)
    host.session.commit()  # see plugin_install: the migration needs the write lock
    plan, refusal = _uninstall_plan(name)
    errors: Errors = {}
    if request.method == "POST" and plan is not None:
        if request.form.get("confirm", "").strip() != name:
            errors["confirm"] = [_("Type the plugin's name, %(plugin)s, to confirm.", plugin=name)]
        else:
            return _uninstall(name)
    return render_template(
        "crm/admin/uninstall.html",
        name=name,
        plan=plan,
        refusal=refusal,
        values={"confirm": request.form.get("confirm", "")},
        errors=errors,
    ), _status(errors) if plan is not None else 409


def _uninstall(name: str) -> Response:
    host = get_host()
    stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
    archive = Path(current_app.config["ARCHIVE_DIR"]) / f"{name}-{stamp}.zip"
    try:
        plan = lifecycle.uninstall(host.db, host.discovery, name, archive)
    except Exception as error:  # like `crm plugins uninstall`: report, keep nothing half-done
        current_app.logger.exception("uninstall of %s failed", name)
        archive.unlink(missing_ok=True)
        flash(
            _(
                "Uninstall of %(plugin)s failed and nothing was changed: %(reason)s",
                plugin=name,
                reason=str(error),
            ),
            "error",
        )
        return redirect(url_for("admin.plugin_uninstall", name=name))
    audit.record(
        host.session,
        "uninstall",
        "plugin",
        name,
        before={"tables": {t.name: t.rows for t in plan.tables}, "enabled_for": plan.enabled_for},
        after={"archive": str(archive)},
    )
    host.session.commit()
    flash(
        _(
            "Uninstalled %(plugin)s; its data is archived in %(archive)s. Restart web and worker processes (crm serve, crm worker) to pick this up.",
            plugin=name,
            archive=str(archive),
        ),
        "success",
    )
    return redirect(url_for("admin.plugins"))


# --- departments ---------------------------------------------------------------------


@bp.route("/departments", methods=["GET", "POST"])
@page("host.users.manage")
def departments() -> tuple[str, int] | Response:
    """The departments, and a form to add one."""
    session = get_host().session
    values: dict[str, str] = {}
    errors: Errors = {}
    if request.method == "POST":
        values = _form("code", "name")

        def create() -> Department:
            data = load(DepartmentSchema(), values)
            department = people.create_department(session, code=data["code"], name=data["name"])
            audit.record(session, "create", "department", department.id, after=data)
            return department

        department, errors = attempt(create)
        if department is not None:
            flash(_("Department %(name)s created.", name=department.name), "success")
            return redirect(url_for("admin.departments"))
    counts = dict(
        session.execute(
            sa.select(Membership.department_id, sa.func.count()).group_by(Membership.department_id)
        ).all()
    )
    enabled = lifecycle.enabled_departments(session)
    plugins_of: dict[str, list[str]] = {}
    for plugin_name, names in enabled.items():
        for department_name in names:
            plugins_of.setdefault(department_name, []).append(plugin_name)
    return render_template(
        "crm/admin/departments.html",
        departments=_departments(),
        members=counts,
        plugins_of=plugins_of,
        values=values,
        errors=errors,
    ), _status(errors)


# --- users ---------------------------------------------------------------------------


def _membership_errors(errors: Errors) -> Errors:
    """Errors of ``memberships.0.department`` shown next to the form's one membership."""
    return {
        key.rsplit(".", 1)[-1] if key.startswith("memberships.0.") else key: messages
        for key, messages in errors.items()
    }


@bp.route("/users", methods=["GET", "POST"])
@page("host.users.manage")
def users() -> tuple[str, int] | Response:
    """Every user with their memberships, and a form to add one."""
    session = get_host().session
    values: dict[str, Any] = {}
    errors: Errors = {}
    if request.method == "POST":
        values = _form("username", "password", "name", "email", "department", "role")
        values["is_admin"] = "is_admin" in request.form
        payload: dict[str, Any] = {
            "username": values["username"],
            "password": values["password"],
            "name": values["name"],
            "email": values["email"] or None,
            "is_admin": values["is_admin"],
            "memberships": (
                [{"department": values["department"], "role": values["role"] or None}]
                if values["department"]
                else []
            ),
        }
        user, errors = attempt(lambda: people.add_user(session, load(UserIn(), payload)))
        errors = _membership_errors(errors)
        if user is not None:
            flash(_("User %(username)s created.", username=user.username), "success")
            return redirect(url_for("admin.user", user_id=user.id))
        values["password"] = ""  # never echoed back into the page
    return render_template(
        "crm/admin/users.html",
        users=list(
            session.scalars(
                sa.select(User)
                .options(
                    selectinload(User.memberships).selectinload(Membership.department),
                    selectinload(User.memberships).selectinload(Membership.role),
                )
                .order_by(User.username)
            )
        ),
        **_membership_choices(),
        values=values,
        errors=errors,
    ), _status(errors)


def _user(user_id: int) -> User:
    user = get_host().session.get(User, user_id)
    if user is None:
        raise NotFound(f"no user with id {user_id}")
    return user


def _memberships(user: User) -> list[dict[str, Any]]:
    return [
        {"department": m.department.code, "role": m.role.name if m.role else None}
        for m in user.memberships
    ]


def _render_user(
    user: User, errors: Errors | None = None, values: dict[str, Any] | None = None
) -> tuple[str, int]:
    errors = errors or {}
    if values is None:
        values = {
            "name": user.name,
            "email": user.email or "",
            "is_active": user.is_active,
            "is_admin": user.is_admin,
        }
    return render_template(
        "crm/admin/user.html",
        user=user,
        **_membership_choices(),
        values=values,
        errors=errors,
    ), _status(errors)


def _update(user: User, payload: dict[str, Any]) -> tuple[None, Errors]:
    session = get_host().session
    return attempt(lambda: people.update_user(session, user, load(UserPatch(), payload)))


@bp.route("/users/<id:user_id>", methods=["GET", "POST"])
@page("host.users.manage")
def user(user_id: int) -> tuple[str, int] | Response:
    """One user: profile, active and admin flags, password, memberships."""
    user = _user(user_id)
    if request.method == "GET":
        return _render_user(user)
    values: dict[str, Any] = _form("name", "email")
    values["is_active"] = "is_active" in request.form
    values["is_admin"] = "is_admin" in request.form
    _done, errors = _update(user, {**values, "email": values["email"] or None})
    if errors:
        return _render_user(user, errors, values)
    flash(_("User %(username)s saved.", username=user.username), "success")
    return redirect(url_for("admin.user", user_id=user.id))


@bp.route("/users/<id:user_id>/password", methods=["POST"])
@page("host.users.manage")
def user_password(user_id: int) -> tuple[str, int] | Response:
    """Set a user's password."""
    user = _user(user_id)
    _done, errors = _update(user, {"password": request.form.get("password", "")})
    if errors:
        return _render_user(user, errors)
    flash(_("Password of %(username)s changed.", username=user.username), "success")
    return redirect(url_for("admin.user", user_id=user.id))


@bp.route("/users/<id:user_id>/memberships", methods=["POST"])
@page("host.users.manage")
def user_membership(user_id: int) -> tuple[str, int] | Response:
    """Add a membership (department and role), change its role, or remove it."""
    user = _user(user_id)
    ref = request.form.get("department", "").strip()
    if not ref:
        return _render_user(user, {"department": [_("Choose a department.")]})
    try:
        department = people.get_department(get_host().session, ref)
    except NotFound as error:
        return _render_user(user, {"department": [error.message]})
    # Every other membership stays as it is; this department's is replaced or dropped.
    memberships = [m for m in _memberships(user) if m["department"] != department.code]
    if request.form.get("action") != "remove":
        role = request.form.get("role", "").strip() or None
        memberships.append({"department": department.code, "role": role})
    _done, errors = _update(user, {"memberships": memberships})
    if errors:
        # Whatever was refused, it concerns the one department of this form.
        return _render_user(user, {"department": [m for ms in errors.values() for m in ms]})
    flash(_("Memberships of %(username)s saved.", username=user.username), "success")
    return redirect(url_for("admin.user", user_id=user.id))


# --- roles ---------------------------------------------------------------------------


def _grants(text: str) -> list[dict[str, str]]:
    """``pattern [scope]`` per line, as the role schema takes them."""
    grants = []
    for line in text.splitlines():
        parts = line.split()
        if parts:
            grants.append({"permission": parts[0], "scope": parts[1] if len(parts) > 1 else "all"})
    return grants


def _grant_errors(errors: Errors) -> Errors:
    """``permissions.3.scope`` errors shown next to the textarea with their line number."""
    shown: Errors = {}
    for key, messages in errors.items():
        parts = key.split(".")
        if parts[0] == "permissions" and len(parts) > 1 and parts[1].isdigit():
            line = int(parts[1]) + 1
            shown.setdefault("permissions", []).extend(
                _("Line %(line)s: %(message)s", line=line, message=_(m)) for m in messages
            )
        else:
            shown.setdefault(key, []).extend(messages)
    return shown


@bp.route("/roles", methods=["GET", "POST"])
@page("host.roles.manage")
def roles() -> tuple[str, int] | Response:
    """Every role and what it grants, and a form to add one."""
    session = get_host().session
    values: dict[str, str] = {}
    errors: Errors = {}
    if request.method == "POST":
        values = _form("name", "label")
        values["permissions"] = request.form.get("permissions", "")
        payload = {**values, "permissions": _grants(values["permissions"])}

        def create() -> Role:
            data = load(RoleSchema(), payload)
            return people.create_role(
                session, name=data["name"], label=data["label"], permissions=data["permissions"]
            )

        role, errors = attempt(create)
        errors = _grant_errors(errors)
        if role is not None:
            flash(_("Role %(name)s created.", name=role.name), "success")
            return redirect(url_for("admin.roles"))
    return render_template(
        "crm/admin/roles.html",
        roles=_roles(),
        permissions=sorted(get_host().permissions.permissions.values(), key=lambda p: p.name),
        values=values,
        errors=errors,
    ), _status(errors)


# --- API tokens ----------------------------------------------------------------------


@bp.route("/tokens", methods=["GET", "POST"])
@page("host.tokens.manage")
def api_tokens() -> tuple[str, int, dict[str, str]] | Response:
    """Everybody's API tokens; create one for yourself (its secret is shown once)."""
    session = get_host().session
    values: dict[str, str] = {"expires_in_days": TOKEN_DAYS}
    errors: Errors = {}
    secret = None
    if request.method == "POST":
        values = _form("name", "scopes", "expires_in_days")
        payload: dict[str, Any] = {"name": values["name"]}
        if values["scopes"]:
            payload["scopes"] = split_list(values["scopes"])
        payload["expires_in_days"] = values["expires_in_days"] or None  # blank: never expires

        def create() -> tuple[ApiToken, str]:
            data = load(TokenIn(), payload)
            days = data["expires_in_days"]
            token, new_secret = tokens.create_token(
                session,
                current_user.user,
                name=data["name"],
                scopes=data["scopes"],
                expires_in=timedelta(days=days) if days else None,
            )
            audit.record(
                session,
                "create",
                "api_token",
                token.id,
                after={"name": token.name, "scopes": token.scopes},
            )
            return token, new_secret

        created, errors = attempt(create)
        if "expires_in" in errors:
            errors.setdefault("expires_in_days", []).extend(errors.pop("expires_in"))
        if created is not None:
            secret = created[1]
            values = {"expires_in_days": TOKEN_DAYS}
    page_ = render_template(
        "crm/admin/tokens.html",
        tokens=list(
            session.scalars(
                sa.select(ApiToken)
                .options(selectinload(ApiToken.user))
                # Live tokens first, newest first: the ones an admin acts on.
                .order_by(ApiToken.revoked_at.is_not(None), ApiToken.id.desc())
            )
        ),
        secret=secret,
        values=values,
        errors=errors,
    )
    # The secret is in this page only: keep it out of every cache.
    return page_, _status(errors), {"Cache-Control": "no-store"}


@bp.route("/tokens/<id:token_id>/revoke", methods=["POST"])
@page("host.tokens.manage")
def revoke_token(token_id: int) -> Response:
    """Revoke a token; it stops working at once."""
    session = get_host().session
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(f"no token with id {token_id}")
    tokens.revoke_token(session, token)
    audit.record(session, "revoke", "api_token", token.id)
    session.commit()
    flash(_("Token %(name)s revoked.", name=token.name), "success")
    return redirect(url_for("admin.api_tokens"))


# --- custom fields -------------------------------------------------------------------


@bp.route("/custom-fields", methods=["GET", "POST"])
@page("host.custom_fields.manage")
def fields() -> tuple[str, int] | Response:
    """The custom fields of customers, and a form to add one."""
    session = get_host().session
    values: dict[str, Any] = {"type": "text", "position": "0"}
    errors: Errors = {}
    if request.method == "POST":
        values = _form("name", "type", "label", "label_zh", "choices", "position")
        values["required"] = "required" in request.form
        payload = {**values, "choices": split_list(values["choices"])}
        if not values["position"]:
            payload.pop("position")

        def create() -> Any:
            data = load(CustomFieldSchema(), payload)
            field = custom_fields.create_field(session, **data)
            audit.record(session, "create", "custom_field", field.id, after=data)
            return field

        field, errors = attempt(create)
        if field is not None:
            flash(_("Custom field %(name)s created.", name=field.name), "success")
            return redirect(url_for("admin.fields"))
    return render_template(
        "crm/admin/custom_fields.html",
        fields=list(custom_fields.definitions(session).values()),
        type_labels=FIELD_TYPE_LABELS,
        type_choices=[(t.value, FIELD_TYPE_LABELS.get(t.value, t.value)) for t in FieldType],
        values=values,
        errors=errors,
    ), _status(errors)


# --- audit log and jobs: filtered lists, newest first ---------------------------------

AUDIT_FILTERS = ("actor", "object_type", "object_id", "action")
JOB_FILTERS = ("status", "name", "plugin")


def _newest_first(
    names: tuple[str, ...],
    schema: ma.Schema,
    query: Callable[[dict[str, Any]], sa.Select[Any]],
    model: Any,
) -> tuple[dict[str, str], dict[str, Any], Errors]:
    """The filters given in the query string, the page of ``model`` rows they select
    (through the API's query schema and query), and the messages of refused filters."""
    filters = {k: request.args.get(k, "").strip() for k in names}
    filters = {k: v for k, v in filters.items() if v}
    raw = {**filters, "limit": str(PAGE_SIZE)}
    if request.args.get("cursor"):
        raw["cursor"] = request.args["cursor"]
    try:
        args = load(schema, raw)
        result = newest_first(get_host().session, query(args), model, args)
    except CrmError as error:  # a filter too long, a cursor edited by hand
        return filters, {"items": [], "next_cursor": None}, field_errors(error.details)
    return filters, result, {}


@bp.route("/audit")
@page("host.audit.manage")
def audit_log() -> tuple[str, int]:
    """The audit log, newest first, filtered by actor, object and action."""
    filters, result, errors = _newest_first(AUDIT_FILTERS, AuditQuery(), audit_search, AuditLog)
    return render_template(
        "crm/admin/audit.html",
        entries=result["items"],
        next_cursor=result["next_cursor"],
        filters=filters,
        errors=errors,
    ), _status(errors)


@bp.route("/jobs")
@page("host.jobs.manage")
def jobs() -> tuple[str, int]:
    """Jobs and event deliveries, newest first; failed ones are parked until retried."""
    filters, result, errors = _newest_first(JOB_FILTERS, JobQuery(), job_query, Job)
    return render_template(
        "crm/admin/jobs.html",
        jobs=result["items"],
        next_cursor=result["next_cursor"],
        counts=queue.counts(get_host().session),
        statuses=JOB_STATUSES,
        status_labels=JOB_STATUS_LABELS,
        filters=filters,
        errors=errors,
    ), _status(errors)


@bp.route("/jobs/<id:job_id>")
@page("host.jobs.manage")
def job(job_id: int) -> str:
    """One job: state, progress, checkpoint, arguments and the last error with its trace."""
    return render_template(
        "crm/admin/job.html",
        job=queue.get_job(get_host().session, job_id),
        status_labels=JOB_STATUS_LABELS,
    )


@bp.route("/jobs/<id:job_id>/retry", methods=["POST"])
@page("host.jobs.manage")
def retry_job(job_id: int) -> Response:
    """Put a parked (failed) job back in the queue with fresh attempts."""
    session = get_host().session
    queue.get_job(session, job_id)  # an unknown job is the 404 page, not a message

    def retry() -> Job:
        job = queue.retry(session, job_id)
        audit.record(session, "retry", "job", job.id, after={"name": job.name})
        return job

    done, errors = attempt(retry)
    if done is None:
        reason = "; ".join(_(m) for messages in errors.values() for m in messages)
        flash(_("Not retried: %(reason)s", reason=reason), "error")
    else:
        flash(_("Job %(id)s is queued again.", id=job_id), "success")
    return redirect(url_for("admin.job", job_id=job_id))
