"""Schemas of campaigns, their A/B variants, sends, statistics and responses."""

from __future__ import annotations

import marshmallow as ma
import sqlalchemy as sa

from crm_host.sdk import shown
from crm_host.sdk import validation as check
from crm_host.sdk.web import Id, PageArgs
from crm_marketing import variants
from crm_marketing.campaigns import MAX_COST
from crm_marketing.models import CAMPAIGN_STATUSES, RESPONSES
from crm_marketing.schemas.common import text


class VariantIn(ma.Schema):
    name = ma.fields.String(validate=ma.validate.OneOf(variants.NAMES))
    subject = text(300, allow_none=True)
    body = text(50_000, 1, multiline=True, required=True)
    weight = ma.fields.Integer(required=True, strict=True, validate=ma.validate.Range(1, 99))


def _cost() -> ma.fields.Decimal:
    return check.Money(
        allow_none=True,
        maximum=MAX_COST,
        metadata={"description": "What the campaign cost; editable after launch too."},
    )


def _channel(**kwargs) -> ma.fields.String:
    # Checked by the service against the channels plugins offer here.
    return ma.fields.String(
        validate=ma.validate.Length(1, 16),
        metadata={"description": "email, sms, or a channel a plugin offers."},
        **kwargs,
    )


class CampaignIn(ma.Schema):
    name = text(200, 1, required=True)
    channel = _channel(required=True)
    segment_id = Id(required=True)
    subject = text(300, allow_none=True)
    body = text(50_000, 1, multiline=True, required=True)
    scheduled_at = ma.fields.AwareDateTime(allow_none=True)
    variants = ma.fields.List(
        ma.fields.Nested(VariantIn),
        metadata={"description": "None, or 2–5 A/B variants whose weights add up to 100."},
    )
    cost = _cost()
    # Checked by the service with the cost (the SDK's currency rule): the two go together.
    cost_currency = ma.fields.String(allow_none=True, metadata={"example": "CNY"})
    test_share = ma.fields.Integer(
        allow_none=True,
        strict=True,
        validate=ma.validate.Range(1, 99),
        metadata={"description": "Send the variants to this percentage first, then the winner."},
    )


class CampaignPatch(ma.Schema):
    name = text(200, 1)
    channel = _channel()
    segment_id = Id()
    subject = text(300, allow_none=True)
    body = text(50_000, 1, multiline=True)
    scheduled_at = ma.fields.AwareDateTime(allow_none=True)
    variants = ma.fields.List(ma.fields.Nested(VariantIn))
    cost = _cost()
    # Checked by the service with the cost (the SDK's currency rule): the two go together.
    cost_currency = ma.fields.String(allow_none=True, metadata={"example": "CNY"})
    test_share = ma.fields.Integer(
        allow_none=True,
        strict=True,
        validate=ma.validate.Range(1, 99),
        metadata={"description": "Send the variants to this percentage first, then the winner."},
    )


class WinnerIn(ma.Schema):
    variant = ma.fields.String(validate=ma.validate.OneOf(variants.NAMES))
    metric = ma.fields.String(
        load_default="converted", validate=ma.validate.OneOf(variants.METRICS)
    )


class VariantOut(ma.Schema):
    name = ma.fields.String()
    subject = ma.fields.String()
    body = ma.fields.String()
    weight = ma.fields.Integer()


class CampaignOut(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    channel = ma.fields.String()
    segment_id = ma.fields.Integer()
    subject = ma.fields.String()
    body = ma.fields.String()
    status = ma.fields.String()
    scheduled_at = ma.fields.DateTime(allow_none=True)
    launched_at = ma.fields.DateTime(allow_none=True)
    finished_at = ma.fields.DateTime(allow_none=True)
    job_id = ma.fields.Integer(allow_none=True)
    cost = ma.fields.Decimal(as_string=True, allow_none=True)
    cost_currency = ma.fields.String(allow_none=True)
    test_share = ma.fields.Integer(allow_none=True)
    winner = ma.fields.String(allow_none=True)
    variants = ma.fields.Method("_variants")
    created_at = ma.fields.DateTime()

    def _variants(self, campaign) -> list[dict]:
        session = sa.orm.object_session(campaign)
        return variants.snapshot(session, campaign.id) if session is not None else []


class CampaignPage(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(CampaignOut))
    next_cursor = ma.fields.String(allow_none=True)


class CampaignQuery(PageArgs):
    status = ma.fields.String(validate=ma.validate.OneOf(CAMPAIGN_STATUSES))
    channel = _channel()


class RevenueOut(ma.Schema):
    currency = ma.fields.String()
    amount = ma.fields.Decimal(as_string=True)


class RoiOut(ma.Schema):
    currency = ma.fields.String()
    revenue = ma.fields.Decimal(as_string=True)
    cost = ma.fields.Decimal(as_string=True, allow_none=True)
    roi = ma.fields.Decimal(
        as_string=True,
        allow_none=True,
        metadata={"description": "(revenue − cost) / cost; none without a cost in this currency."},
    )


class VariantResultOut(ma.Schema):
    name = ma.fields.String()
    weight = ma.fields.Integer()
    sent = ma.fields.Integer()
    delivered = ma.fields.Integer()
    opened = ma.fields.Integer()
    clicked = ma.fields.Integer()
    converted = ma.fields.Integer()
    opened_rate = ma.fields.Float(allow_none=True)
    clicked_rate = ma.fields.Float(allow_none=True)
    converted_rate = ma.fields.Float(allow_none=True)
    revenue = ma.fields.Method("_revenue")

    def _revenue(self, row) -> list[dict]:
        return [{"currency": c, "amount": str(a)} for c, a in row["revenue"].items()]


class AbTestOut(ma.Schema):
    metric = ma.fields.String()
    variants = ma.fields.List(ma.fields.Nested(VariantResultOut))
    leader = ma.fields.String(allow_none=True)
    p_value = ma.fields.Float(
        allow_none=True,
        metadata={"description": "Chi-square test (two-proportion z-test for two variants)."},
    )
    significant = ma.fields.Boolean()


class StatsQuery(ma.Schema):
    metric = ma.fields.String(
        load_default="converted", validate=ma.validate.OneOf(variants.METRICS)
    )


class CampaignStatsOut(ma.Schema):
    revenue = ma.fields.List(ma.fields.Nested(RevenueOut))
    roi = ma.fields.List(ma.fields.Nested(RoiOut))
    ab_test = ma.fields.Nested(AbTestOut, allow_none=True)
    sent = ma.fields.Integer()
    duplicates = ma.fields.Integer()
    delivered = ma.fields.Integer()
    buyers = ma.fields.Integer(
        metadata={"description": "Recipients who bought in the attribution window."}
    )
    opened = ma.fields.Integer()
    clicked = ma.fields.Integer()
    replied = ma.fields.Integer()
    converted = ma.fields.Integer()
    unsubscribed = ma.fields.Integer()


class SendOut(ma.Schema):
    id = ma.fields.Integer()
    campaign_id = ma.fields.Integer()
    customer_id = ma.fields.Integer()
    # A copy of the customer's email or phone number: an email is shown as the
    # customers API shows it, any other address (a phone) masked without reveal.
    address = ma.fields.Function(
        lambda send: send.address if "@" in (send.address or "") else shown(send.address),
        allow_none=True,
    )
    variant_id = ma.fields.Integer(allow_none=True)
    duplicate = ma.fields.Boolean()
    sent_at = ma.fields.DateTime()
    response = ma.fields.String(allow_none=True)
    responded_at = ma.fields.DateTime(allow_none=True)


class SendPage(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(SendOut))
    next_cursor = ma.fields.String(allow_none=True)


class ResponseIn(ma.Schema):
    customer_id = Id(required=True)
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(RESPONSES))
    occurred_at = ma.fields.AwareDateTime(allow_none=True)


class RecordedOut(ma.Schema):
    recorded = ma.fields.Boolean()


class UnsubscribeIn(ma.Schema):
    token = text(4096, 1, required=True)


class UnsubscribedOut(ma.Schema):
    customer_id = ma.fields.Integer()
    campaign_id = ma.fields.Integer()
    channel = ma.fields.String()
