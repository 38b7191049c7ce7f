"""Console page of the escalation chain: its steps in order, added, changed and taken
out of the chain by a service manager (the API and ``crm service escalation`` do the
same through :mod:`crm_service.chain`)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from crm_host.sdk import CrmError, Department, User, get_host
from crm_host.sdk.web import page
from crm_service import chain
from crm_service.models import EscalationStep
from crm_service.permissions import MANAGE
from crm_service.views.blueprint import bp


def _whole_number(value: str) -> int | str:
    # Left as typed when it is not a number: chain.save_step names the field.
    try:
        return int(value.strip())
    except ValueError:
        return value


def _id_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def step_data(form: MultiDict[str, str]) -> dict[str, Any]:
    """The fields of a step as :func:`crm_service.chain.save_step` takes them."""
    return {
        "name": form.get("name", "").strip(),
        "after_minutes": _whole_number(form.get("after_minutes", "")),
        "raise_priority": form.get("raise_priority") == "on",
        "department_id": _id_or_none(form.get("department_id")),
        "assignee_id": _id_or_none(form.get("assignee_id")),
        "notify": form.get("notify") == "on",
        "active": form.get("active") == "on",
    }


def _choices() -> dict[str, Any]:
    session = get_host().session
    return {
        "departments": session.scalars(sa.select(Department).order_by(Department.name)).all(),
        "users": session.scalars(
            sa.select(User).where(User.is_active.is_(True)).order_by(User.username)
        ).all(),
    }


@bp.route("/escalation")
@page(MANAGE)
def escalation_chain() -> str:
    """Every step, soonest first; inactive ones shown greyed."""
    return render_template(
        "service/escalation.html", steps=chain_steps(), form=MultiDict(), step=None, **_choices()
    )


@bp.route("/escalation/new", methods=["POST"])
@page(MANAGE)
def escalation_new() -> str | Response:
    """Add a step; a refused one comes back with what was typed and why."""
    return _save(None)


@bp.route("/escalation/<id:step_id>", methods=["GET", "POST"])
@page(MANAGE)
def escalation_edit(step_id: int) -> str | Response:
    """Change a step, or take it out of the chain by clearing *active*."""
    step = chain.get_step(get_host().session, step_id)
    if request.method == "POST":
        return _save(step)
    return render_template(
        "service/escalation_step.html", step=step, form=MultiDict(), **_choices()
    )


def _save(step: EscalationStep | None) -> str | Response:
    session = get_host().session
    try:
        saved = chain.save_step(session, step_data(request.form), step)
        session.commit()
    except CrmError as error:
        session.rollback()
        flash(error.message, "error")
        for field, problems in (getattr(error, "details", None) or {}).items():
            flash(f"{field}: {' '.join(problems)}", "error")
        template = "service/escalation_step.html" if step else "service/escalation.html"
        steps = [] if step else chain_steps()
        return render_template(template, step=step, steps=steps, form=request.form, **_choices())
    flash(str(_l("The escalation step %(name)s has been saved.", name=saved.name)))
    return redirect(url_for(".escalation_chain"))


def chain_steps() -> list[EscalationStep]:
    """Every step of the chain, soonest first, inactive ones too."""
    return list(
        get_host().session.scalars(
            sa.select(EscalationStep).order_by(EscalationStep.after_minutes, EscalationStep.id)
        )
    )
