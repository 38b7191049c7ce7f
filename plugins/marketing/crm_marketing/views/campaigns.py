"""Console pages of campaigns: the list, the wizard with its live audience, a
campaign's page with its A/B test, cost and winner, launch and cancel."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from crm_host.sdk import CrmError
from crm_host.sdk.web import CONFLICT_STATUS, page, stale_form
from crm_marketing import campaigns, channels, variants
from crm_marketing.i18n import translate as _
from crm_marketing.models import Campaign, Segment
from crm_marketing.permissions import CAMPAIGNS_READ, CAMPAIGNS_WRITE
from crm_marketing.views.blueprint import bp, current_session


@bp.route("/campaigns", endpoint="campaigns")
@page(CAMPAIGNS_READ)
def campaigns_page() -> str:
    """Campaigns, newest first, with sends and responses."""
    session = current_session()
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
    session = current_session()
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
    return _detail_page(campaigns.get_campaign(current_session(), campaign_id))


def _detail_page(
    campaign: Campaign, form: dict[str, str] | None = None, errors: list[str] | None = None
) -> str:
    """The campaign page; ``form`` and ``errors`` refill the cost form after a refusal."""
    session = current_session()
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
    session = current_session()
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
    session = current_session()
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
    session = current_session()
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
    session = current_session()
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
    session = current_session()
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
