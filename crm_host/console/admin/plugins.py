"""Admin pages for plugins: install and uninstall them, enable them per department.

Installing and uninstalling run migrations, which take the write lock on a connection
of their own; a restart of the web and worker processes loads the result."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from crm_host.console._access import page
from crm_host.console.admin import bp
from crm_host.console.admin.common import Errors, all_departments, attempt, status_code
from crm_host.core.db import utcnow
from crm_host.core.errors import NotFound
from crm_host.core.host import get_host
from crm_host.core.migrate import MigrationError
from crm_host.domain import lifecycle
from crm_host.plugins.facade import PluginError
from crm_host.records import audit


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
    departments = [(d, d.name in enabled) for d in all_departments()]
    errors = errors or {}
    return render_template(
        "crm/admin/plugin.html",
        plugin=row,
        manifest=manifest,
        departments=departments,
        errors=errors,
    ), status_code(errors)


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
    ), status_code(errors) if plan is not None else 409


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
