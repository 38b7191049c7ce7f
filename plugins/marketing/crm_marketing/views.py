"""The marketing console, mounted by the host under ``/marketing/`` behind the department gate.

The segment builder asks for its live count with htmx (``hx-get`` on the form) from
:func:`segment_count`, which answers a fragment; charts are fed by JSON endpoints
through the host's chart helper.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from crm_host.sdk import CrmError, authorize, get_host
from crm_host.sdk.web import CONFLICT_STATUS, Chart, allowed, chart_json, page, stale_form
from crm_marketing import (
    campaigns,
    channels,
    journeys,
    lifetime_value,
    rfm,
    segments,
    triggers,
    variants,
    winback,
)
from crm_marketing.forms import ROWS, rows_of, rules_from_form
from crm_marketing.i18n import _l, translate
from crm_marketing.i18n import translate as _
from crm_marketing.models import Campaign, Journey, JourneyEntry, Segment
from crm_marketing.permissions import (
    CAMPAIGNS_READ,
    CAMPAIGNS_WRITE,
    RFM_READ,
    SEGMENTS_READ,
    SEGMENTS_WRITE,
)
from crm_marketing.registry import criteria_of
from crm_marketing.rules import compile_rules

bp = Blueprint("console", __name__, template_folder="templates")


@bp.context_processor
def _context() -> dict[str, Any]:
    extra: dict[str, Any] = {"allowed": allowed}
    # The host installs Flask-Babel's ``_`` in Jinja; an application built without it
    # still renders these pages, in English.
    if "babel" not in current_app.extensions:
        extra["_"] = translate
    return extra


def _session() -> Any:
    return get_host().session


# --- segments ----------------------------------------------------------------------------


@bp.route("/", endpoint="segments")
@page(SEGMENTS_READ)
def segments_page() -> str:
    """Every segment with its current size."""
    session = _session()
    rows = []
    for segment in session.scalars(sa.select(Segment).order_by(Segment.name)):
        try:
            size: int | None = segments.count(session, segments.condition_for(session, segment))
        except CrmError:
            size = None
        rows.append((segment, size))
    return render_template("marketing/segments.html", rows=rows)


def _builder(segment: Segment | None, form: dict[str, str] | None, errors: dict[str, Any]) -> str:
    session = _session()
    if form is not None:
        match = form.get("match", "all")
        row_values = [
            {
                "field": form.get(f"field-{n}", ""),
                "op": form.get(f"op-{n}", ""),
                "value": form.get(f"value-{n}", ""),
            }
            for n in range(ROWS)
        ]
        rules_json = form.get("rules_json", "")
    else:
        match, row_values, rules_json = rows_of(segment.rules if segment else None)
    row_values = (row_values + [{"field": "", "op": "", "value": ""}] * ROWS)[:ROWS]
    criteria = sorted(criteria_of(session).values(), key=lambda c: str(c.label))
    return render_template(
        "marketing/segment_builder.html",
        segment=segment,
        form=form or {},
        match=match,
        rows=row_values,
        rules_json=rules_json,
        criteria=criteria,
        errors=errors,
    )


@bp.route("/segments/new", methods=["GET", "POST"])
@page(SEGMENTS_WRITE)
def segment_new() -> str | BaseResponse:
    """The builder for a new rule segment."""
    return _save(None)


@bp.route("/segments/<int:segment_id>", methods=["GET", "POST"])
@page(SEGMENTS_READ)
def segment_edit(segment_id: int) -> str | BaseResponse:
    """The builder showing a segment; saving needs the write permission."""
    session = _session()
    segment = segments.get_segment(session, segment_id)
    if request.method == "POST":
        authorize(session, current_user.user, SEGMENTS_WRITE)
    return _save(segment)


def _save(segment: Segment | None) -> str | BaseResponse:
    if request.method != "POST":
        return _builder(segment, None, {})
    session = _session()
    form = request.form.to_dict()
    try:
        data: dict[str, Any] = {
            "name": form.get("name", "").strip(),
            "description": form.get("description", ""),
        }
        if segment is None or segment.kind == "rules":
            data["rules"] = rules_from_form(form, criteria_of(session))
        if segment is None:
            segment = segments.create_segment(session, data, actor=current_user.user)
        else:
            segments.update_segment(session, segment, data, actor=current_user.user)
        session.commit()
    except CrmError as error:
        session.rollback()
        return _builder(
            segment if segment and segment.id else None,
            form,
            error.details or {"": [error.message]},
        ), 422
    flash(_("Segment saved."))
    return redirect(url_for(".segment_edit", segment_id=segment.id))


@bp.route("/segments/count")
@page(SEGMENTS_READ)
def segment_count() -> str:
    """The builder's live count: a fragment with the audience size or what is wrong."""
    session = _session()
    try:
        condition = compile_rules(session, rules_from_form(request.args, criteria_of(session)))
        found = segments.preview(session, condition)
        return render_template(
            "marketing/_count.html", count=found["count"], sample=found["sample"], errors={}
        )
    except CrmError as error:
        return render_template("marketing/_count.html", count=None, sample=[], errors=error.details)


# --- campaigns ------------------------------------------------------------------------


@bp.route("/campaigns", endpoint="campaigns")
@page(CAMPAIGNS_READ)
def campaigns_page() -> str:
    """Campaigns, newest first, with sends and responses."""
    session = _session()
    rows = [
        (c, campaigns.statistics(session, c), campaigns.attributed_revenue(session, c))
        for c in session.scalars(sa.select(Campaign).order_by(Campaign.id.desc()).limit(200))
    ]
    names = dict(session.execute(sa.select(Segment.id, Segment.name)).all())
    return render_template(
        "marketing/campaigns.html",
        rows=rows,
        segment_names=names,
        channel_labels=_channel_labels(session),
    )


def _channel_labels(session: Any) -> dict[str, Any]:
    return {c.name: c.label for c in channels.available(session).values()}


@bp.route("/campaigns/new", methods=["GET", "POST"])
@page(CAMPAIGNS_WRITE)
def campaign_new() -> str | BaseResponse:
    """The campaign wizard: audience, channel, message, schedule."""
    session = _session()
    all_segments = list(session.scalars(sa.select(Segment).order_by(Segment.name)))
    form = request.form.to_dict() if request.method == "POST" else {}
    errors: dict[str, Any] = {}
    if request.method == "POST":
        try:
            data = {
                "name": form.get("name", "").strip(),
                "channel": form.get("channel"),
                "segment_id": int(form["segment_id"])
                if form.get("segment_id", "").isdigit()
                else None,
                "subject": form.get("subject", ""),
                "body": form.get("body", ""),
                "scheduled_at": _when(form.get("scheduled_at", "")),
                "variants": _variants_of(form),
                **_cost_of(form),
                **_share_of(form),
            }
            campaign = campaigns.create_campaign(session, data, actor=current_user.user)
            session.commit()
            flash(_("Campaign drafted."))
            return redirect(url_for(".campaign_detail", campaign_id=campaign.id))
        except CrmError as error:
            session.rollback()
            errors = _by_variant_name(error.details, form) or {"": [error.message]}
    return render_template(
        "marketing/campaign_new.html",
        segments=all_segments,
        channels=list(channels.available(session).values()),
        form=form,
        errors=errors,
        variant_names=variants.NAMES,
    ), (422 if errors else 200)


def _variants_of(form: dict[str, str]) -> list[dict[str, Any]]:
    """The wizard's A/B rows that have a text; a weight that is not a number is passed
    on as text, for the service to refuse naming the row."""
    rows = []
    for name in variants.NAMES:
        body = form.get(f"variant-{name}-body", "")
        if not body.strip():
            continue
        weight_text = form.get(f"variant-{name}-weight", "").strip()
        rows.append(
            {
                "name": name,
                "subject": form.get(f"variant-{name}-subject", ""),
                "body": body,
                "weight": int(weight_text) if weight_text.isdigit() else weight_text,
            }
        )
    return rows


def _by_variant_name(
    details: dict[str, list[str]] | None, form: dict[str, str]
) -> dict[str, list[str]]:
    """``variants.<i>.<field>`` errors keyed by the wizard's row instead (``variant-B``):
    the service counts only the rows that were filled in."""
    if not details:
        return {}
    names = [n for n in variants.NAMES if form.get(f"variant-{n}-body", "").strip()]
    out: dict[str, list[str]] = {}
    for key, messages in details.items():
        parts = key.split(".")
        if len(parts) == 3 and parts[0] == "variants" and parts[1].isdigit():
            index = int(parts[1])
            name = names[index] if index < len(names) else variants.NAMES[index]
            out.setdefault(f"variant-{name}", []).extend(messages)
        else:
            out.setdefault(key, []).extend(messages)
    return out


def _share_of(form: dict[str, str]) -> dict[str, Any]:
    """The test share, when given (text that is not a number goes on for the service to
    refuse naming the field)."""
    text = form.get("test_share", "").strip()
    if not text:
        return {}
    return {"test_share": int(text) if text.isdigit() else text}


def _cost_of(form: dict[str, str]) -> dict[str, Any]:
    """The cost fields, when the form has them (both empty: no cost)."""
    amount = form.get("cost", "").strip()
    currency = form.get("cost_currency", "").strip().upper()
    if not amount and not currency:
        return {}
    return {"cost": amount or None, "cost_currency": currency or None}


@bp.route("/campaigns/<int:campaign_id>", endpoint="campaign_detail")
@page(CAMPAIGNS_READ)
def campaign_detail(campaign_id: int) -> str:
    """One campaign: its message or A/B variants, sends and duplicates, responses,
    revenue and ROI, and which variant leads by the chosen metric."""
    return _detail_page(campaigns.get_campaign(_session(), campaign_id))


def _detail_page(
    campaign: Campaign, form: dict[str, str] | None = None, errors: list[str] | None = None
) -> str:
    """The campaign page; ``form`` and ``errors`` refill the cost form after a refusal."""
    session = _session()
    metric = request.args.get("metric", "converted")
    if metric not in variants.METRICS:
        metric = "converted"
    revenue = campaigns.attributed_revenue(session, campaign)
    return render_template(
        "marketing/campaign.html",
        campaign=campaign,
        segment=session.get(Segment, campaign.segment_id),
        stats=campaigns.statistics(session, campaign),
        buyers=campaigns.buyers(session, campaign),
        roi=campaigns.roi(campaign, revenue),
        test=variants.results(session, campaign, metric=metric),
        metrics=variants.METRICS,
        channel_labels=_channel_labels(session),
        form=form or {},
        errors=errors or [],
    )


@bp.route("/campaigns/<int:campaign_id>/winner", methods=["POST"])
@page(CAMPAIGNS_WRITE)
def campaign_winner(campaign_id: int) -> BaseResponse:
    """End a finished A/B test from the campaign's page: the chosen variant, or the
    leader by the metric shown, goes to the rest of the audience."""
    session = _session()
    campaign = campaigns.get_campaign(session, campaign_id)
    metric = request.form.get("metric", "converted")
    try:
        campaigns.pick_winner(
            session,
            campaign,
            variant=request.form.get("variant") or None,
            metric=metric if metric in variants.METRICS else "converted",
            actor=current_user.user,
        )
        session.commit()
        flash(_("Variant %(name)s goes to the rest of the audience.", name=campaign.winner))
    except CrmError as error:
        session.rollback()
        problems = [m for messages in (error.details or {}).values() for m in messages]
        flash(" ".join([error.message, *problems]), "error")
    return redirect(url_for(".campaign_detail", campaign_id=campaign_id))


@bp.route("/campaigns/<int:campaign_id>/cost", methods=["POST"])
@page(CAMPAIGNS_WRITE)
def campaign_cost(campaign_id: int) -> BaseResponse:
    """Enter or correct the cost, also after the campaign was sent."""
    session = _session()
    campaign = campaigns.get_campaign(session, campaign_id)
    form = request.form.to_dict()
    stale = stale_form(campaign, request.form)
    if stale:
        # Someone else saved the campaign since this page was read: keep what was typed.
        return _detail_page(campaign, form, [stale]), CONFLICT_STATUS  # type: ignore[return-value]
    data = _cost_of(form) or {"cost": None, "cost_currency": None}
    try:
        campaigns.update_campaign(session, campaign, data, actor=current_user.user)
        session.commit()
        flash(_("Cost saved."))
    except CrmError as error:
        session.rollback()
        problems = [m for messages in (error.details or {}).values() for m in messages]
        flash(" ".join([error.message, *problems]), "error")
    return redirect(url_for(".campaign_detail", campaign_id=campaign_id))


def _when(text: str) -> datetime | None:
    if not text.strip():
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        from crm_host.sdk import ValidationFailed

        raise ValidationFailed(
            "not a date and time", details={"scheduled_at": ["Not a date and time."]}
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@bp.route("/campaigns/audience")
@page(CAMPAIGNS_READ)
def campaign_audience() -> str:
    """The wizard's live audience: members of the segment who may be reached on the channel."""
    session = _session()
    segment_id = request.args.get("segment_id", "")
    channel = request.args.get("channel", "email")
    count = None
    offered = channels.available(session)
    if segment_id.isdigit() and channel in offered and session.get(Segment, int(segment_id)):
        probe = Campaign(segment_id=int(segment_id), channel=channel, body="")
        try:
            query = campaigns.recipients(session, probe)
            count = session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
        except CrmError:
            count = None
    return render_template("marketing/_audience.html", count=count)


@bp.route("/campaigns/<int:campaign_id>/launch", methods=["POST"])
@page(CAMPAIGNS_WRITE)
def campaign_launch(campaign_id: int) -> BaseResponse:
    """Launch a draft from the list."""
    session = _session()
    try:
        campaigns.launch(
            session, campaigns.get_campaign(session, campaign_id), actor=current_user.user
        )
        session.commit()
        flash(_("Campaign launched."))
    except CrmError as error:
        session.rollback()
        flash(error.message, "error")
    return redirect(url_for(".campaigns"))


@bp.route("/campaigns/<int:campaign_id>/cancel", methods=["POST"])
@page(CAMPAIGNS_WRITE)
def campaign_cancel(campaign_id: int) -> BaseResponse:
    """Cancel a campaign from the list."""
    session = _session()
    try:
        campaigns.cancel(
            session, campaigns.get_campaign(session, campaign_id), actor=current_user.user
        )
        session.commit()
        flash(_("Campaign cancelled."))
    except CrmError as error:
        session.rollback()
        flash(error.message, "error")
    return redirect(url_for(".campaigns"))


# --- RFM ----------------------------------------------------------------------------


@bp.route("/rfm")
@page(RFM_READ)
def rfm_grid() -> str:
    """The RFM grid: customers per recency × frequency cell, and spend bands as a chart."""
    session = _session()
    counts = rfm.grid(session)
    chart = Chart(_("Customers per monetary score"), url_for(".rfm_monetary_chart"))
    return render_template(
        "marketing/rfm.html",
        counts=counts,
        computed_at=rfm.last_refreshed(session),
        chart=chart,
    )


@bp.route("/rfm/monetary.json")
@page(RFM_READ)
def rfm_monetary_chart() -> Response:
    """Chart data: how many customers have each monetary score."""
    bands = rfm.monetary_bands(_session())
    return chart_json(
        [str(m) for m in range(1, 6)],
        {_("Customers"): [bands.get(m, 0) for m in range(1, 6)]},
    )


# --- customer value -----------------------------------------------------------------------

TIER_LABELS = {
    "top": _l("Top"),
    "big": _l("Big"),
    "medium": _l("Medium"),
    "small": _l("Small"),
}
QUADRANT_LABELS = {
    "true_friend": _l("True friends"),
    "barnacle": _l("Barnacles"),
    "butterfly": _l("Butterflies"),
    "stranger": _l("Strangers"),
}
RISK_LABELS = {"low": _l("Low"), "medium": _l("Medium"), "high": _l("High")}


@bp.route("/value")
@page(RFM_READ)
def value() -> str:
    """Customer pyramid, loyalty–value matrix, churn risk and the lifetime-value model."""
    session = _session()
    return render_template(
        "marketing/value.html",
        tiers=rfm.pyramid(session),
        quadrants=rfm.loyalty_value(session),
        risks=lifetime_value.churn_counts(session),
        model=lifetime_value.current_model(session),
        computed_at=rfm.last_refreshed(session),
        tier_labels=TIER_LABELS,
        quadrant_labels=QUADRANT_LABELS,
        risk_labels=RISK_LABELS,
        pyramid_chart=Chart(_("Customer pyramid"), url_for(".pyramid_chart")),
        risk_chart=Chart(_("Customers per churn risk"), url_for(".churn_chart"), kind="pie"),
    )


@bp.route("/value/pyramid.json")
@page(RFM_READ)
def pyramid_chart() -> Response:
    """Chart data: customers per pyramid tier, best first."""
    tiers = rfm.pyramid(_session())
    return chart_json(
        [str(TIER_LABELS[t["tier"]]) for t in tiers],
        {_("Customers"): [t["customers"] for t in tiers]},
    )


@bp.route("/value/churn.json")
@page(RFM_READ)
def churn_chart() -> Response:
    """Chart data: customers per churn risk."""
    counts = lifetime_value.churn_counts(_session())
    return chart_json(
        [str(RISK_LABELS[r]) for r in counts], {_("Customers"): list(counts.values())}
    )


@bp.route("/value/win-back", methods=["POST"])
@page(SEGMENTS_WRITE)
def win_back() -> BaseResponse:
    """Create the win-back segment of at-risk and lapsed customers and open it."""
    session = _session()
    try:
        segment = winback.create_winback_segment(session, actor=current_user.user)
        session.commit()
    except CrmError as error:
        session.rollback()
        flash(error.message, "error")
        return redirect(url_for(".value"))
    flash(_("Win-back segment created."))
    return redirect(url_for(".segment_edit", segment_id=segment.id))


# --- journeys ---------------------------------------------------------------------------

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
    session = _session()
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
    session = _session()
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
    session = _session()
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
    session = _session()
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
