"""Console pages of inspections: the plans (overdue first to the eye) with a form to
plan one, and a plan's page with its records and a form to record an inspection."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from crm_host.sdk import CrmError, User, get_host, utcnow
from crm_host.sdk.web import allowed, page
from crm_industry_power import inspections
from crm_industry_power import permissions as p
from crm_industry_power.models import Account, Equipment, InspectionPlan
from crm_industry_power.views.blueprint import bp
from crm_industry_power.views.labels import EQUIPMENT_LABELS
from crm_industry_power.zones import company_timezone

KIND_LABELS = {"patrol": _l("Patrol (巡查)"), "check": _l("Check (检查)")}
RESULT_LABELS = {"ok": _l("No defect"), "defect": _l("Defect found")}


def _today() -> date:
    return utcnow().astimezone(company_timezone()).date()


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None


def _problems(error: CrmError) -> list[str]:
    problems = [f"{field}: {text}" for field, texts in error.details.items() for text in texts]
    return problems or [error.message]


@bp.route("/inspections", methods=["GET", "POST"])
@page(p.INSPECTIONS_READ)
def inspection_plans() -> str | Response:
    """Every plan by due date (``?overdue=1``: only the overdue); POST plans a new one."""
    session = get_host().session
    if request.method == "POST":
        if not allowed(p.INSPECTIONS_WRITE):
            abort(403)
        number = request.form.get("account", "").strip()
        account_id = session.scalar(sa.select(Account.id).where(Account.number == number))
        try:
            plan = inspections.save_plan(
                session,
                {
                    "account_id": account_id,
                    "equipment_id": _int(request.form.get("equipment_id")),
                    "interval_days": _int(request.form.get("interval_days")),
                    "next_due": _date(request.form.get("next_due", "")),
                    "responsible_id": current_user.user.id,
                },
            )
            session.commit()
        except CrmError as error:
            session.rollback()
            for problem in _problems(error):
                flash(_("The inspection was not planned: %(problem)s", problem=problem), "error")
            return redirect(url_for(".inspection_plans"))
        flash(_("Inspection planned."), "success")
        return redirect(url_for(".inspection_plan", plan_id=plan.id))
    today = _today()
    overdue = request.args.get("overdue") == "1"
    rows = inspections.plans(session, overdue_on=today if overdue else None)
    accounts = {
        a.id: a
        for a in session.scalars(
            sa.select(Account).where(Account.id.in_({r.account_id for r in rows}))
        )
    }
    return render_template(
        "power/inspections.html",
        rows=rows,
        accounts=accounts,
        today=today,
        overdue=overdue,
        is_overdue=inspections.is_overdue,
        can_plan=allowed(p.INSPECTIONS_WRITE),
    )


@bp.route("/inspections/<int:plan_id>", methods=["GET", "POST"])
@page(p.INSPECTIONS_READ)
def inspection_plan(plan_id: int) -> str | Response:
    """One plan with its records; POST records an inspection done under it."""
    session = get_host().session
    plan = session.get(InspectionPlan, plan_id)
    if plan is None:
        abort(404)
    if request.method == "POST":
        if not allowed(p.INSPECTIONS_WRITE):
            abort(403)
        try:
            inspections.record(
                session,
                plan,
                {
                    "kind": request.form.get("kind") or "patrol",
                    "result": request.form.get("result"),
                    "inspected_on": _date(request.form.get("inspected_on", "")),
                    "inspector_id": current_user.user.id,
                    "findings": request.form.get("findings", ""),
                    "follow_up": request.form.get("follow_up") or None,
                },
                today=_today(),
            )
            session.commit()
        except CrmError as error:
            session.rollback()
            for problem in _problems(error):
                flash(_("The inspection was not recorded: %(problem)s", problem=problem), "error")
            return redirect(url_for(".inspection_plan", plan_id=plan_id))
        flash(_("Inspection recorded."), "success")
        return redirect(url_for(".inspection_plan", plan_id=plan_id))
    records = inspections.records(session, plan.id)
    users: dict[int, Any] = {
        u.id: u
        for u in session.scalars(
            sa.select(User).where(
                User.id.in_({r.inspector_id for r in records} | {plan.responsible_id})
            )
        )
    }
    return render_template(
        "power/inspection.html",
        plan=plan,
        account=session.get(Account, plan.account_id),
        equipment=session.get(Equipment, plan.equipment_id) if plan.equipment_id else None,
        records=records,
        users=users,
        today=_today(),
        overdue=inspections.is_overdue(plan, _today()),
        can_record=allowed(p.INSPECTIONS_WRITE),
        kinds=KIND_LABELS,
        results=RESULT_LABELS,
        equipment_kinds=EQUIPMENT_LABELS,
    )
