"""Campaigns: drafts, launch and cancel, the A/B winner, statistics, sends,
responses and unsubscribes."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask.views import MethodView

from crm_host.sdk import require
from crm_host.sdk.web import (
    PageArgs,
    check_if_match,
    documents_etag,
    documents_if_match,
    newest_first,
    send_etag,
    where_equal,
)
from crm_marketing import campaigns, responses, variants
from crm_marketing import permissions as p
from crm_marketing.api.blueprint import blp, current_actor, current_session
from crm_marketing.models import Campaign, Send
from crm_marketing.schemas.campaigns import (
    CampaignIn,
    CampaignOut,
    CampaignPage,
    CampaignPatch,
    CampaignQuery,
    CampaignStatsOut,
    RecordedOut,
    ResponseIn,
    SendPage,
    StatsQuery,
    UnsubscribedOut,
    UnsubscribeIn,
    WinnerIn,
)


@blp.route("/campaigns")
class Campaigns(MethodView):
    @require(p.CAMPAIGNS_READ)
    @blp.arguments(CampaignQuery, location="query")
    @blp.response(200, CampaignPage)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List campaigns, newest first; filter by status or channel."""
        query = where_equal(sa.select(Campaign), Campaign, args, ("status", "channel"))
        return newest_first(current_session(), query, Campaign, args)

    @require(p.CAMPAIGNS_WRITE)
    @blp.arguments(CampaignIn)
    @blp.response(201, CampaignOut)
    def post(self, data: dict[str, Any]) -> Campaign:
        """Draft a campaign: channel, segment, message (a sandboxed template) and schedule."""
        session = current_session()
        campaign = campaigns.create_campaign(session, data, actor=current_actor())
        session.commit()
        return campaign


def _changing(campaign_id: int) -> Campaign:
    """The campaign a write route changes, once the request's If-Match allows it."""
    campaign = campaigns.get_campaign(current_session(), campaign_id)
    check_if_match(campaign)
    return campaign


@blp.route("/campaigns/<id:campaign_id>")
class CampaignResource(MethodView):
    @require(p.CAMPAIGNS_READ)
    @blp.response(200, CampaignOut)
    @documents_etag(blp)
    def get(self, campaign_id: int) -> Campaign:
        """One campaign; ``ETag`` names its version."""
        return send_etag(campaigns.get_campaign(current_session(), campaign_id))

    @require(p.CAMPAIGNS_WRITE)
    @blp.arguments(CampaignPatch)
    @blp.response(200, CampaignOut)
    @documents_if_match(blp)
    def patch(self, data: dict[str, Any], campaign_id: int) -> Campaign:
        """Change a draft."""
        session = current_session()
        campaign = campaigns.update_campaign(
            session, _changing(campaign_id), data, actor=current_actor()
        )
        session.commit()
        return send_etag(campaign)

    @require(p.CAMPAIGNS_WRITE)
    @blp.response(204)
    @documents_if_match(blp, None)
    def delete(self, campaign_id: int) -> None:
        """Delete a draft."""
        session = current_session()
        campaigns.delete_campaign(session, _changing(campaign_id), actor=current_actor())
        session.commit()


@blp.route("/campaigns/<id:campaign_id>/launch")
class CampaignLaunch(MethodView):
    @require(p.CAMPAIGNS_WRITE)
    @blp.response(200, CampaignOut)
    @documents_if_match(blp)
    def post(self, campaign_id: int) -> Campaign:
        """Queue the send job; each consenting member gets the message exactly once."""
        session = current_session()
        campaign = campaigns.launch(session, _changing(campaign_id), actor=current_actor())
        session.commit()
        return send_etag(campaign)


@blp.route("/campaigns/<id:campaign_id>/cancel")
class CampaignCancel(MethodView):
    @require(p.CAMPAIGNS_WRITE)
    @blp.response(200, CampaignOut)
    @documents_if_match(blp)
    def post(self, campaign_id: int) -> Campaign:
        """Stop a campaign; what was sent stays sent."""
        session = current_session()
        campaign = campaigns.cancel(session, _changing(campaign_id), actor=current_actor())
        session.commit()
        return send_etag(campaign)


@blp.route("/campaigns/<id:campaign_id>/winner")
class CampaignWinner(MethodView):
    @require(p.CAMPAIGNS_WRITE)
    @blp.arguments(WinnerIn)
    @blp.response(200, CampaignOut)
    @documents_if_match(blp)
    def post(self, data: dict[str, Any], campaign_id: int) -> Campaign:
        """End a finished A/B test: the named variant, or the leader by ``metric``,
        goes to the rest of the audience."""
        session = current_session()
        campaign = campaigns.pick_winner(
            session,
            _changing(campaign_id),
            variant=data.get("variant"),
            metric=data["metric"],
            actor=current_actor(),
        )
        session.commit()
        return send_etag(campaign)


@blp.route("/campaigns/<id:campaign_id>/stats")
class CampaignStats(MethodView):
    @require(p.CAMPAIGNS_READ)
    @blp.arguments(StatsQuery, location="query")
    @blp.response(200, CampaignStatsOut)
    def get(self, args: dict[str, Any], campaign_id: int) -> dict[str, Any]:
        """Sends, skipped duplicates, responses by kind, the recipients' spend after the
        send and the ROI per currency; with A/B variants, each variant's results and
        whether the leader by ``metric`` leads significantly."""
        session = current_session()
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
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, SendPage)
    def get(self, args: dict[str, Any], campaign_id: int) -> dict[str, Any]:
        """The campaign's sends, newest first."""
        session = current_session()
        campaigns.get_campaign(session, campaign_id)
        query = sa.select(Send).where(Send.campaign_id == campaign_id)
        return newest_first(session, query, Send, args)


@blp.route("/campaigns/<id:campaign_id>/responses")
class CampaignResponses(MethodView):
    @require(p.CAMPAIGNS_WRITE)
    @blp.arguments(ResponseIn)
    @blp.response(200, RecordedOut)
    def post(self, data: dict[str, Any], campaign_id: int) -> dict[str, bool]:
        """Record a recipient's response (opened, clicked…) on their timeline; idempotent."""
        session = current_session()
        campaigns.get_campaign(session, campaign_id)
        send = responses.send_of(session, campaign_id, data["customer_id"])
        recorded = responses.record_response(
            session, send, data["kind"], occurred_at=data.get("occurred_at"), actor=current_actor()
        )
        session.commit()
        return {"recorded": recorded}


@blp.route("/unsubscribes")
class Unsubscribes(MethodView):
    @require(p.CAMPAIGNS_WRITE)
    @blp.arguments(UnsubscribeIn)
    @blp.response(200, UnsubscribedOut)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Apply an unsubscribe link's token (forwarded by the public site or mail gateway)."""
        session = current_session()
        send = responses.unsubscribe(session, data["token"])
        campaign = session.get(Campaign, send.campaign_id)
        session.commit()
        return {
            "customer_id": send.customer_id,
            "campaign_id": send.campaign_id,
            "channel": campaign.channel if campaign else None,
        }
