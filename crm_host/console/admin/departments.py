"""The admin page of departments: the list, with members and plugins, and a form to add one."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from crm_host.api.directory import DepartmentSchema
from crm_host.console._access import page
from crm_host.console.admin import bp
from crm_host.console.admin.common import (
    Errors,
    all_departments,
    attempt,
    load,
    posted,
    status_code,
)
from crm_host.core.host import get_host
from crm_host.core.models import Department, Membership
from crm_host.domain import directory as people
from crm_host.domain import lifecycle
from crm_host.records import audit


@bp.route("/departments", methods=["GET", "POST"])
@page("host.users.manage")
def departments() -> tuple[str, int] | Response:
    """The departments, and a form to add one."""
    session = get_host().session
    values: dict[str, str] = {}
    errors: Errors = {}
    if request.method == "POST":
        values = posted("code", "name")

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
        departments=all_departments(),
        members=counts,
        plugins_of=plugins_of,
        values=values,
        errors=errors,
    ), status_code(errors)
