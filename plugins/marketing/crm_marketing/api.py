"""The marketing REST API, mounted by the host under ``/api/v1/marketing``.

Every view declares its permission with the host's ``require``; the services do the
checking and raise the host's errors, which become 4xx answers naming the field.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy.orm import Session

from crm_host.sdk import User, enqueue, get_host, require
from crm_host.sdk.web import (
    check_if_match,
    documents_etag,
    documents_if_match,
    fetch_page,
    integer_key,
    newest_first,
    send_etag,
    where_equal,
)
from crm_marketing import (
    campaigns,
    journeys,
    lifetime_value,
    responses,
    rfm,
    segments,
    triggers,
    variants,
    winback,
)
from crm_marketing import permissions as p
from crm_marketing import schemas as s
from crm_marketing.models import (
    Campaign,
    CustomerValue,
    Journey,
    JourneyEntry,
    RfmScore,
    Segment,
    Send,
)
from crm_marketing.registry import criteria_of
from crm_marketing.rules import compile_rules

blp = Blueprint("api", __name__, description="Segments, campaigns and RFM scores")


def _session() -> Session:
    return get_host().session


def _user() -> User:
    return current_user.user


# --- segments ---------------------------------------------------------------------------


@blp.route("/segments")
class Segments(MethodView):
    @require(p.SEGMENTS_READ)
    @blp.arguments(s.PageArgs, location="query")
    @blp.response(200, s.SegmentPage)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List segments, newest first."""
        return newest_first(_session(), sa.select(Segment), Segment, args)

    @require(p.SEGMENTS_WRITE)
    @blp.arguments(s.SegmentIn)
    @blp.response(201, s.SegmentOut)
    def post(self, data: dict[str, Any]) -> Segment:
        """Create a rule segment (rules checked node by node) or a static list."""
        session = _session()
        segment = segments.create_segment(session, data, actor=_user())
        session.commit()
        return segment


@blp.route("/segments/criteria")
class Criteria(MethodView):
    @require(p.SEGMENTS_READ)
    @blp.response(200, s.CriterionOut(many=True))
    def get(self) -> list[Any]:
        """The fields rules may test, with their operators, from every installed plugin."""
        return sorted(criteria_of(_session()).values(), key=lambda c: c.name)


@blp.route("/segments/preview")
class RulesPreview(MethodView):
    @require(p.SEGMENTS_READ)
    @blp.arguments(s.RulesIn)
    @blp.response(200, s.PreviewOut)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Count and sample of unsaved rules (the builder's live count)."""
        session = _session()
        return segments.preview(session, compile_rules(session, data["rules"]))


@blp.route("/segments/<id:segment_id>")
class SegmentResource(MethodView):
    @require(p.SEGMENTS_READ)
    @blp.response(200, s.SegmentOut)
    def get(self, segment_id: int) -> Segment:
        """One segment."""
        return segments.get_segment(_session(), segment_id)

    @require(p.SEGMENTS_WRITE)
    @blp.arguments(s.SegmentPatch)
    @blp.response(200, s.SegmentOut)
    def patch(self, data: dict[str, Any], segment_id: int) -> Segment:
        """Rename a segment or change its rules."""
        session = _session()
        segment = segments.update_segment(
            session, segments.get_segment(session, segment_id), data, actor=_user()
        )
        session.commit()
        return segment

    @require(p.SEGMENTS_WRITE)
    @blp.response(204)
    def delete(self, segment_id: int) -> None:
        """Delete a segment no campaign uses."""
        session = _session()
        segments.delete_segment(session, segments.get_segment(session, segment_id), actor=_user())
        session.commit()


@blp.route("/segments/<id:segment_id>/preview")
class SegmentPreview(MethodView):
    @require(p.SEGMENTS_READ)
    @blp.response(200, s.PreviewOut)
    def get(self, segment_id: int) -> dict[str, Any]:
        """How many customers the segment holds now, and the first of them."""
        session = _session()
        segment = segments.get_segment(session, segment_id)
        return segments.preview(session, segments.condition_for(session, segment))


@blp.route("/segments/<id:segment_id>/members")
class SegmentMembers(MethodView):
    @require(p.SEGMENTS_WRITE)
    @blp.arguments(s.MembersIn)
    @blp.response(200, s.MembersChangedOut)
    def post(self, data: dict[str, Any], segment_id: int) -> dict[str, int]:
        """Put customers on a static list."""
        session = _session()
        segment = segments.get_segment(session, segment_id)
        added = segments.add_members(session, segment, data["customer_ids"], actor=_user())
        session.commit()
        return {"changed": added}

    @require(p.SEGMENTS_WRITE)
    @blp.arguments(s.MembersIn)
    @blp.response(200, s.MembersChangedOut)
    def delete(self, data: dict[str, Any], segment_id: int) -> dict[str, int]:
        """Take customers off a static list."""
        session = _session()
        segment = segments.get_segment(session, segment_id)
        removed = segments.remove_members(session, segment, data["customer_ids"], actor=_user())
        session.commit()
        return {"changed": removed}


# --- campaigns --------------------------------------------------------------------------


@blp.route("/campaigns")
class Campaigns(MethodView):
    @require(p.CAMPAIGNS_READ)
    @blp.arguments(s.CampaignQuery, location="query")
    @blp.response(200, s.CampaignPage)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List campaigns, newest first; filter by status or channel."""
        query = where_equal(sa.select(Campaign), Campaign, args, ("status", "channel"))
        return newest_first(_session(), query, Campaign, args)

    @require(p.CAMPAIGNS_WRITE)
    @blp.arguments(s.CampaignIn)
    @blp.response(201, s.CampaignOut)
    def post(self, data: dict[str, Any]) -> Campaign:
        """Draft a campaign: channel, segment, message (a sandboxed template) and schedule."""
        session = _session()
        campaign = campaigns.create_campaign(session, data, actor=_user())
        session.commit()
        return campaign


def _changing(campaign_id: int) -> Campaign:
    """The campaign a write route changes, once the request's If-Match allows it."""
    campaign = campaigns.get_campaign(_session(), campaign_id)
    check_if_match(campaign)
    return campaign


@blp.route("/campaigns/<id:campaign_id>")
class CampaignResource(MethodView):
    @require(p.CAMPAIGNS_READ)
    @blp.response(200, s.CampaignOut)
    @documents_etag(blp)
    def get(self, campaign_id: int) -> Campaign:
        """One campaign; ``ETag`` names its version."""
        return send_etag(campaigns.get_campaign(_session(), campaign_id))

    @require(p.CAMPAIGNS_WRITE)
    @blp.arguments(s.CampaignPatch)
    @blp.response(200, s.CampaignOut)
    @documents_if_match(blp)
    def patch(self, data: dict[str, Any], campaign_id: int) -> Campaign:
        """Change a draft."""
        session = _session()
        campaign = campaigns.update_campaign(session, _changing(campaign_id), data, actor=_user())
        session.commit()
        return send_etag(campaign)

    @require(p.CAMPAIGNS_WRITE)
    @blp.response(204)
    @documents_if_match(blp, None)
    def delete(self, campaign_id: int) -> None:
        """Delete a draft."""
        session = _session()
        campaigns.delete_campaign(session, _changing(campaign_id), actor=_user())
        session.commit()


@blp.route("/campaigns/<id:campaign_id>/launch")
class CampaignLaunch(MethodView):
    @require(p.CAMPAIGNS_WRITE)
    @blp.response(200, s.CampaignOut)
    @documents_if_match(blp)
    def post(self, campaign_id: int) -> Campaign:
        """Queue the send job; each consenting member gets the message exactly once."""
        session = _session()
        campaign = campaigns.launch(session, _changing(campaign_id), actor=_user())
        session.commit()
        return send_etag(campaign)


@blp.route("/campaigns/<id:campaign_id>/cancel")
class CampaignCancel(MethodView):
    @require(p.CAMPAIGNS_WRITE)
    @blp.response(200, s.CampaignOut)
    @documents_if_match(blp)
    def post(self, campaign_id: int) -> Campaign:
        """Stop a campaign; what was sent stays sent."""
        session = _session()
        campaign = campaigns.cancel(session, _changing(campaign_id), actor=_user())
        session.commit()
        return send_etag(campaign)


@blp.route("/campaigns/<id:campaign_id>/winner")
class CampaignWinner(MethodView):
    @require(p.CAMPAIGNS_WRITE)
    @blp.arguments(s.WinnerIn)
    @blp.response(200, s.CampaignOut)
    @documents_if_match(blp)
    def post(self, data: dict[str, Any], campaign_id: int) -> Campaign:
        """End a finished A/B test: the named variant, or the leader by ``metric``,
        goes to the rest of the audience."""
        session = _session()
        campaign = campaigns.pick_winner(
            session,
            _changing(campaign_id),
            variant=data.get("variant"),
            metric=data["metric"],
            actor=_user(),
        )
        session.commit()
        return send_etag(campaign)


@blp.route("/campaigns/<id:campaign_id>/stats")
class CampaignStats(MethodView):
    @require(p.CAMPAIGNS_READ)
    @blp.arguments(s.StatsQuery, location="query")
    @blp.response(200, s.CampaignStatsOut)
    def get(self, args: dict[str, Any], campaign_id: int) -> dict[str, Any]:
        """Sends, skipped duplicates, responses by kind, the recipients' spend after the
        send and the ROI per currency; with A/B variants, each variant's results and
        whether the leader by ``metric`` leads significantly."""
        session = _session()
        campaign = campaigns.get_campaign(session, campaign_id)
        revenue = campaigns.attributed_revenue(session, campaign)
        ab = variants.results(session, campaign, metric=args["metric"])
        return {
            **campaigns.statistics(session, campaign),
            "revenue": [{"currency": c, "amount": a} for c, a in revenue.items()],
            "roi": campaigns.roi(campaign, revenue),
            "buyers": campaigns.buyers(session, campaign),
            "ab_test": ab if ab["variants"] else None,
        }


@blp.route("/campaigns/<id:campaign_id>/sends")
class CampaignSends(MethodView):
    @require(p.CAMPAIGNS_READ)
    @blp.arguments(s.PageArgs, location="query")
    @blp.response(200, s.SendPage)
    def get(self, args: dict[str, Any], campaign_id: int) -> dict[str, Any]:
        """The campaign's sends, newest first."""
        session = _session()
        campaigns.get_campaign(session, campaign_id)
        query = sa.select(Send).where(Send.campaign_id == campaign_id)
        return newest_first(session, query, Send, args)


@blp.route("/campaigns/<id:campaign_id>/responses")
class CampaignResponses(MethodView):
    @require(p.CAMPAIGNS_WRITE)
    @blp.arguments(s.ResponseIn)
    @blp.response(200, s.RecordedOut)
    def post(self, data: dict[str, Any], campaign_id: int) -> dict[str, bool]:
        """Record a recipient's response (opened, clicked…) on their timeline; idempotent."""
        session = _session()
        campaigns.get_campaign(session, campaign_id)
        send = responses.send_of(session, campaign_id, data["customer_id"])
        recorded = responses.record_response(
            session, send, data["kind"], occurred_at=data.get("occurred_at"), actor=_user()
        )
        session.commit()
        return {"recorded": recorded}


@blp.route("/unsubscribes")
class Unsubscribes(MethodView):
    @require(p.CAMPAIGNS_WRITE)
    @blp.arguments(s.UnsubscribeIn)
    @blp.response(200, s.UnsubscribedOut)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Apply an unsubscribe link's token (forwarded by the public site or mail gateway)."""
        session = _session()
        send = responses.unsubscribe(session, data["token"])
        campaign = session.get(Campaign, send.campaign_id)
        session.commit()
        return {
            "customer_id": send.customer_id,
            "campaign_id": send.campaign_id,
            "channel": campaign.channel if campaign else None,
        }


# --- RFM ----------------------------------------------------------------------------------


@blp.route("/rfm")
class RfmScores(MethodView):
    @require(p.RFM_READ)
    @blp.arguments(s.RfmQuery, location="query")
    @blp.response(200, s.RfmPage)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Stored scores, by customer id descending; filter by any of the three scores."""
        query = where_equal(sa.select(RfmScore), RfmScore, args, ("r_score", "f_score", "m_score"))
        return fetch_page(
            _session(),
            query,
            keys=[integer_key(RfmScore.customer_id)],
            args=args,
            descending=True,
        )


@blp.route("/rfm/grid")
class RfmGrid(MethodView):
    @require(p.RFM_READ)
    @blp.response(200, s.RfmGridOut)
    def get(self) -> dict[str, Any]:
        """Customers per (recency, frequency) cell, all 25 cells."""
        session = _session()
        counts = rfm.grid(session)
        cells = [
            {"r_score": r, "f_score": f, "customers": counts.get((r, f), 0)}
            for r in range(5, 0, -1)
            for f in range(1, 6)
        ]
        return {"cells": cells, "computed_at": rfm.last_refreshed(session)}


@blp.route("/rfm/customers/<id:customer_id>")
class RfmOfCustomer(MethodView):
    @require(p.RFM_READ)
    @blp.response(200, s.RfmOut)
    def get(self, customer_id: int) -> RfmScore:
        """One customer's scores (404 when they never bought)."""
        from crm_host.sdk import NotFound

        score = rfm.of_customer(_session(), customer_id)
        if score is None:
            raise NotFound(f"customer {customer_id} has no RFM scores")
        return score


@blp.route("/rfm/refresh")
class RfmRefresh(MethodView):
    @require(p.RFM_WRITE)
    @blp.arguments(s.RefreshIn)
    @blp.response(202, s.JobOut)
    def post(self, data: dict[str, Any]) -> dict[str, int]:
        """Queue a recomputation of every score from the transactions."""
        session = _session()
        job_id = enqueue(session, rfm.JOB, {"currency": data["currency"]})
        session.commit()
        return {"job_id": job_id}


# --- lifetime value -----------------------------------------------------------------------


@blp.route("/value")
class ValueSummary(MethodView):
    @require(p.RFM_READ)
    @blp.response(200, s.ValueSummaryOut)
    def get(self) -> dict[str, Any]:
        """The newest fit of the lifetime-value models and customers per churn risk."""
        session = _session()
        return {
            "model": lifetime_value.current_model(session),
            "churn_risk": lifetime_value.churn_counts(session),
        }


@blp.route("/value/customers")
class CustomerValues(MethodView):
    @require(p.RFM_READ)
    @blp.arguments(s.CustomerValueQuery, location="query")
    @blp.response(200, s.CustomerValuePage)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Stored values, by customer id descending; filter by churn risk."""
        query = where_equal(sa.select(CustomerValue), CustomerValue, args, ("churn_risk",))
        return fetch_page(
            _session(),
            query,
            keys=[integer_key(CustomerValue.customer_id)],
            args=args,
            descending=True,
        )


@blp.route("/value/customers/<id:customer_id>")
class ValueOfCustomer(MethodView):
    @require(p.RFM_READ)
    @blp.response(200, s.CustomerValueOut)
    def get(self, customer_id: int) -> CustomerValue:
        """One customer's P(alive), expected purchases and value (404 when they never bought)."""
        from crm_host.sdk import NotFound

        value = lifetime_value.of_customer(_session(), customer_id)
        if value is None:
            raise NotFound(f"customer {customer_id} has no lifetime value")
        return value


@blp.route("/value/refresh")
class ValueRefresh(MethodView):
    @require(p.RFM_WRITE)
    @blp.arguments(s.ValueRefreshIn)
    @blp.response(202, s.JobOut)
    def post(self, data: dict[str, Any]) -> dict[str, int]:
        """Queue a refit of the lifetime-value models and every customer's value."""
        session = _session()
        args: dict[str, Any] = {"currency": data["currency"]}
        if data.get("horizon_days"):
            args["horizon_days"] = data["horizon_days"]
        job_id = enqueue(session, lifetime_value.JOB, args)
        session.commit()
        return {"job_id": job_id}


@blp.route("/rfm/pyramid")
class Pyramid(MethodView):
    @require(p.RFM_READ)
    @blp.response(200, s.PyramidOut)
    def get(self) -> dict[str, Any]:
        """Customers and spend per tier of the customer pyramid, best tier first."""
        session = _session()
        return {"tiers": rfm.pyramid(session), "computed_at": rfm.last_refreshed(session)}


@blp.route("/rfm/loyalty-value")
class LoyaltyValue(MethodView):
    @require(p.RFM_READ)
    @blp.response(200, s.LoyaltyValueOut)
    def get(self) -> dict[str, Any]:
        """Customers per quadrant of the loyalty–value matrix."""
        session = _session()
        return {"quadrants": rfm.loyalty_value(session), "computed_at": rfm.last_refreshed(session)}


@blp.route("/value/win-back")
class WinBack(MethodView):
    @require(p.SEGMENTS_WRITE)
    @blp.arguments(s.WinBackIn)
    @blp.response(201, s.SegmentOut)
    def post(self, data: dict[str, Any]) -> Segment:
        """Create a segment of at-risk and lapsed customers (by stored churn risk)."""
        session = _session()
        segment = winback.create_winback_segment(
            session, data["risks"], data.get("name"), actor=_user()
        )
        session.commit()
        return segment


# --- journeys ------------------------------------------------------------------------------


@blp.route("/journeys")
class Journeys(MethodView):
    @require(p.CAMPAIGNS_READ)
    @blp.arguments(s.PageArgs, location="query")
    @blp.response(200, s.JourneyPage)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List journeys, newest first."""
        return newest_first(_session(), sa.select(Journey), Journey, args)

    @require(p.CAMPAIGNS_WRITE)
    @blp.arguments(s.JourneyIn)
    @blp.response(201, s.JourneyOut)
    def post(self, data: dict[str, Any]) -> Journey:
        """Create a journey: a trigger (segment or event) and its steps, checked one by one."""
        session = _session()
        journey = journeys.create_journey(session, data, actor=_user())
        session.commit()
        return journey


@blp.route("/journeys/events")
class JourneyEvents(MethodView):
    @require(p.CAMPAIGNS_READ)
    @blp.response(200, s.JourneyEventOut(many=True))
    def get(self) -> list[dict[str, Any]]:
        """The events a journey may start from here (host events and those of installed
        plugins), with the value each lets a journey choose on."""
        return [trigger.as_dict() for trigger in triggers.available(_session())]


@blp.route("/journeys/<id:journey_id>")
class JourneyResource(MethodView):
    @require(p.CAMPAIGNS_READ)
    @blp.response(200, s.JourneyOut)
    def get(self, journey_id: int) -> Journey:
        """One journey."""
        return journeys.get_journey(_session(), journey_id)

    @require(p.CAMPAIGNS_WRITE)
    @blp.arguments(s.JourneyStatusIn)
    @blp.response(200, s.JourneyOut)
    def patch(self, data: dict[str, Any], journey_id: int) -> Journey:
        """Activate, pause or return a journey to draft."""
        session = _session()
        journey = journeys.set_status(
            session, journeys.get_journey(session, journey_id), data["status"], actor=_user()
        )
        session.commit()
        return journey


@blp.route("/journeys/<id:journey_id>/entries")
class JourneyEntries(MethodView):
    @require(p.CAMPAIGNS_READ)
    @blp.arguments(s.JourneyEntryQuery, location="query")
    @blp.response(200, s.JourneyEntryPage)
    def get(self, args: dict[str, Any], journey_id: int) -> dict[str, Any]:
        """Each customer's place in the journey, newest first; filter by status."""
        session = _session()
        journeys.get_journey(session, journey_id)
        query = where_equal(
            sa.select(JourneyEntry).where(JourneyEntry.journey_id == journey_id),
            JourneyEntry,
            args,
            ("status",),
        )
        return newest_first(session, query, JourneyEntry, args)


@blp.route("/journeys/advance")
class JourneysAdvance(MethodView):
    @require(p.CAMPAIGNS_WRITE)
    @blp.response(202, s.JobOut)
    def post(self) -> dict[str, int]:
        """Queue a run of every active journey now (the schedule runs it every 15 minutes)."""
        session = _session()
        job_id = enqueue(session, journeys.JOB, {})
        session.commit()
        return {"job_id": job_id}
