"""Console pages of journeys: the list with its form, a journey's page and its status."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from crm_host.sdk import CrmError
from crm_host.sdk.web import page
from crm_marketing import journeys, triggers
from crm_marketing.i18n import _l
from crm_marketing.i18n import translate as _
from crm_marketing.models import Campaign, Journey, JourneyEntry, Segment
from crm_marketing.permissions import CAMPAIGNS_READ, CAMPAIGNS_WRITE
from crm_marketing.views.blueprint import bp, current_session

STEP_LABELS = {
    "wait": _l("Wait"),
    "condition": _l("Condition"),
    "send": _l("Send"),
    "tag": _l("Add tag"),
    "end": _l("End"),
}
JOURNEY_STATUS_LABELS = {"draft": _l("Draft"), "active": _l("Active"), "paused": _l("Paused")}


JOURNEY_FORM_STEPS = 5


def _journeys_page(form: dict[str, str], errors: dict[str, Any]) -> tuple[str, int]:
    session = current_session()
    counts = dict(
        session.execute(
            sa.select(JourneyEntry.journey_id, sa.func.count()).group_by(JourneyEntry.journey_id)
        ).all()
    )
    rows = [
        (journey, counts.get(journey.id, 0))
        for journey in session.scalars(sa.select(Journey).order_by(Journey.name))
    ]
    return render_template(
        "marketing/journeys.html",
        rows=rows,
        status_labels=JOURNEY_STATUS_LABELS,
        step_labels=STEP_LABELS,
        events=triggers.available(session),
        event_labels=triggers.labels(session),
        segments=list(session.scalars(sa.select(Segment).order_by(Segment.name))),
        campaigns=list(session.scalars(sa.select(Campaign).order_by(Campaign.name))),
        step_rows=JOURNEY_FORM_STEPS,
        form=form,
        errors=errors,
    ), (422 if errors else 200)


@bp.route("/journeys")
@page(CAMPAIGNS_READ)
def journeys_page() -> tuple[str, int]:
    """Every journey with its trigger, status and how many customers are in it, and a
    form to start a new one."""
    return _journeys_page({}, {})


def journey_from_form(form: dict[str, str]) -> dict[str, Any]:
    """The journey a console form describes, for :func:`journeys.create_journey` to check.

    Steps come as rows (``step-N`` the kind, ``step-N-value`` its days, campaign id or
    tag name); empty rows are skipped. The goal is a rule tree in JSON, or empty.
    """
    steps: list[dict[str, Any]] = []
    for n in range(JOURNEY_FORM_STEPS):
        kind, value = form.get(f"step-{n}", ""), form.get(f"step-{n}-value", "").strip()
        if kind == "wait":
            steps.append({"wait": {"days": int(value) if value.isdigit() else value}})
        elif kind == "send":
            steps.append({"send": {"campaign_id": int(value) if value.isdigit() else value}})
        elif kind == "tag":
            steps.append({"tag": {"name": value}})
    trigger = form.get("trigger", "")
    data: dict[str, Any] = {
        "name": form.get("name", "").strip(),
        "trigger": trigger,
        "steps": steps,
        "status": "active" if form.get("activate") else "draft",
    }
    if trigger == "segment":
        segment_id = form.get("segment_id", "")
        data["segment_id"] = int(segment_id) if segment_id.isdigit() else None
    elif trigger == "event":
        data["event"] = form.get("event") or None
        data["event_value"] = form.get("event_value") or None
    goal = form.get("goal", "").strip()
    if goal:
        try:
            data["goal"] = json.loads(goal)
        except ValueError:
            from crm_host.sdk import ValidationFailed

            raise ValidationFailed(
                "the goal is not JSON", details={"goal": ["Needs a rule tree in JSON."]}
            ) from None
    return data


@bp.route("/journeys", methods=["POST"])
@page(CAMPAIGNS_WRITE)
def journey_create() -> tuple[str, int] | BaseResponse:
    """Create a journey from the form on the journeys page; errors are shown by field."""
    session = current_session()
    form = request.form.to_dict()
    try:
        journey = journeys.create_journey(session, journey_from_form(form), actor=current_user.user)
        session.commit()
    except CrmError as error:
        session.rollback()
        return _journeys_page(form, error.details or {"": [error.message]})
    flash(_("Journey created."))
    return redirect(url_for(".journey_detail", journey_id=journey.id))


@bp.route("/journeys/<int:journey_id>")
@page(CAMPAIGNS_READ)
def journey_detail(journey_id: int) -> str:
    """A journey's steps with the customers waiting at each, and its newest entries."""
    session = current_session()
    try:
        journey = journeys.get_journey(session, journey_id)
    except CrmError:
        from werkzeug.exceptions import NotFound

        raise NotFound() from None
    entries = session.scalars(
        sa.select(JourneyEntry)
        .where(JourneyEntry.journey_id == journey.id)
        .order_by(JourneyEntry.id.desc())
        .limit(50)
    ).all()
    segment = session.get(Segment, journey.segment_id) if journey.segment_id else None
    return render_template(
        "marketing/journey.html",
        journey=journey,
        segment=segment,
        places=journeys.positions(session, journey),
        entries=entries,
        step_labels=STEP_LABELS,
        status_labels=JOURNEY_STATUS_LABELS,
        event_labels=triggers.labels(session),
    )


@bp.route("/journeys/<int:journey_id>/status", methods=["POST"])
@page(CAMPAIGNS_WRITE)
def journey_status(journey_id: int) -> BaseResponse:
    """Activate or pause a journey from its page."""
    session = current_session()
    try:
        journeys.set_status(
            session,
            journeys.get_journey(session, journey_id),
            request.form.get("status", ""),
            actor=current_user.user,
        )
        session.commit()
        flash(_("Journey updated."))
    except CrmError as error:
        session.rollback()
        flash(error.message, "error")
    return redirect(url_for(".journey_detail", journey_id=journey_id))
