"""The admin page of roles: what each role grants, and a form to add one."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from crm_host.api.directory import RoleSchema
from crm_host.console._access import page
from crm_host.console.admin import bp
from crm_host.console.admin.common import Errors, all_roles, attempt, load, posted, status_code
from crm_host.core.host import get_host
from crm_host.core.models import Role
from crm_host.domain import directory as people


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
        values = posted("name", "label")
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
        roles=all_roles(),
        permissions=sorted(get_host().permissions.permissions.values(), key=lambda p: p.name),
        values=values,
        errors=errors,
    ), status_code(errors)
