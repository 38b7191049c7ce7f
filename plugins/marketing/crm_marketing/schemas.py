"""Schemas of the marketing API (types and limits; the rules live in the services).

Named in the OpenAPI document with the plugin's prefix by the host.
"""

from __future__ import annotations

import marshmallow as ma
import sqlalchemy as sa

from crm_host.sdk import shown
from crm_host.sdk.web import Id, PageArgs
from crm_marketing import variants
from crm_marketing.models import CAMPAIGN_STATUSES, RESPONSES, SEGMENT_KINDS


def _no_nul(value: str) -> None:
    # PostgreSQL refuses NUL in text; say so as a 422 rather than fail in the database.
    if "\x00" in value:
        raise ma.ValidationError("Must not contain NUL characters.")


def _text(max_length: int, min_length: int = 0, **kwargs) -> ma.fields.String:
    return ma.fields.String(
        validate=[ma.validate.Length(min=min_length, max=max_length), _no_nul], **kwargs
    )


class RulesField(ma.fields.Dict):
    """A rule tree: checked node by node by the service, which names the bad node's path."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "metadata",
            {"example": {"all": [{"field": "city", "op": "eq", "value": "苏州"}]}},
        )
        super().__init__(keys=ma.fields.String(), **kwargs)


# --- segments ------------------------------------------------------------------------


class SegmentIn(ma.Schema):
    name = _text(200, 1, required=True)
    description = _text(1000, allow_none=True)
    kind = ma.fields.String(validate=ma.validate.OneOf(SEGMENT_KINDS), load_default="rules")
    rules = RulesField(allow_none=True)


class SegmentPatch(ma.Schema):
    name = _text(200, 1)
    description = _text(1000, allow_none=True)
    rules = RulesField()


class SegmentOut(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    description = ma.fields.String()
    kind = ma.fields.String()
    rules = ma.fields.Dict(allow_none=True)
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()


class SegmentPage(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(SegmentOut))
    next_cursor = ma.fields.String(allow_none=True)


class RulesIn(ma.Schema):
    rules = RulesField(required=True)


class MemberOut(ma.Schema):
    id = ma.fields.Integer()
    code = ma.fields.String()
    name = ma.fields.String()
    city = ma.fields.String(allow_none=True)


class PreviewOut(ma.Schema):
    count = ma.fields.Integer()
    sample = ma.fields.List(ma.fields.Nested(MemberOut))


class MembersIn(ma.Schema):
    customer_ids = ma.fields.List(
        Id(), required=True, validate=ma.validate.Length(min=1, max=10_000)
    )


class MembersChangedOut(ma.Schema):
    changed = ma.fields.Integer()


class CriterionOut(ma.Schema):
    name = ma.fields.String()
    label = ma.fields.Function(lambda c: str(c.label))
    kind = ma.fields.String()
    operators = ma.fields.List(ma.fields.String())
    choices = ma.fields.List(ma.fields.String())
    plugin = ma.fields.String()


# --- campaigns ------------------------------------------------------------------------


class VariantIn(ma.Schema):
    name = ma.fields.String(validate=ma.validate.OneOf(variants.NAMES))
    subject = _text(300, allow_none=True)
    body = _text(50_000, 1, required=True)
    weight = ma.fields.Integer(required=True, strict=True, validate=ma.validate.Range(1, 99))


def _cost() -> ma.fields.Decimal:
    return ma.fields.Decimal(
        allow_none=True,
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
    name = _text(200, 1, required=True)
    channel = _channel(required=True)
    segment_id = Id(required=True)
    subject = _text(300, allow_none=True)
    body = _text(50_000, 1, required=True)
    scheduled_at = ma.fields.AwareDateTime(allow_none=True)
    variants = ma.fields.List(
        ma.fields.Nested(VariantIn),
        metadata={"description": "None, or 2–5 A/B variants whose weights add up to 100."},
    )
    cost = _cost()
    cost_currency = ma.fields.String(allow_none=True, validate=ma.validate.Length(equal=3))
    test_share = ma.fields.Integer(
        allow_none=True,
        strict=True,
        validate=ma.validate.Range(1, 99),
        metadata={"description": "Send the variants to this percentage first, then the winner."},
    )


class CampaignPatch(ma.Schema):
    name = _text(200, 1)
    channel = _channel()
    segment_id = Id()
    subject = _text(300, allow_none=True)
    body = _text(50_000, 1)
    scheduled_at = ma.fields.AwareDateTime(allow_none=True)
    variants = ma.fields.List(ma.fields.Nested(VariantIn))
    cost = _cost()
    cost_currency = ma.fields.String(allow_none=True, validate=ma.validate.Length(equal=3))
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
    token = _text(4096, 1, required=True)


class UnsubscribedOut(ma.Schema):
    customer_id = ma.fields.Integer()
    campaign_id = ma.fields.Integer()
    channel = ma.fields.String()


# --- RFM ----------------------------------------------------------------------------------


class RfmOut(ma.Schema):
    customer_id = ma.fields.Integer()
    last_purchase_at = ma.fields.DateTime()
    frequency = ma.fields.Integer()
    monetary = ma.fields.Decimal(as_string=True)
    currency = ma.fields.String()
    r_score = ma.fields.Integer()
    f_score = ma.fields.Integer()
    m_score = ma.fields.Integer()
    code = ma.fields.String()
    pyramid = ma.fields.String(allow_none=True)
    loyalty_value = ma.fields.String(allow_none=True)
    computed_at = ma.fields.DateTime()


class RfmPage(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(RfmOut))
    next_cursor = ma.fields.String(allow_none=True)


class RfmQuery(PageArgs):
    r_score = ma.fields.Integer(validate=ma.validate.Range(min=1, max=5))
    f_score = ma.fields.Integer(validate=ma.validate.Range(min=1, max=5))
    m_score = ma.fields.Integer(validate=ma.validate.Range(min=1, max=5))


class RfmCellOut(ma.Schema):
    r_score = ma.fields.Integer()
    f_score = ma.fields.Integer()
    customers = ma.fields.Integer()


class RfmGridOut(ma.Schema):
    cells = ma.fields.List(ma.fields.Nested(RfmCellOut))
    computed_at = ma.fields.DateTime(allow_none=True)


class RefreshIn(ma.Schema):
    currency = ma.fields.String(
        validate=ma.validate.Regexp(r"^[A-Z]{3}$"),
        load_default="CNY",
        metadata={"example": "CNY"},
    )


class JobOut(ma.Schema):
    job_id = ma.fields.Integer()


# --- lifetime value ---------------------------------------------------------------------


class ValueModelOut(ma.Schema):
    currency = ma.fields.String()
    horizon_days = ma.fields.Integer()
    customers = ma.fields.Integer()
    repeat_buyers = ma.fields.Integer()
    r = ma.fields.Float()
    alpha = ma.fields.Float()
    a = ma.fields.Float()
    b = ma.fields.Float()
    bgnbd_log_likelihood = ma.fields.Float()
    p = ma.fields.Float(allow_none=True)
    q = ma.fields.Float(allow_none=True)
    v = ma.fields.Float(allow_none=True)
    gamma_gamma_log_likelihood = ma.fields.Float(allow_none=True)
    computed_at = ma.fields.DateTime()


class ValueSummaryOut(ma.Schema):
    model = ma.fields.Nested(ValueModelOut, allow_none=True)
    churn_risk = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())


class CustomerValueOut(ma.Schema):
    customer_id = ma.fields.Integer()
    currency = ma.fields.String()
    frequency = ma.fields.Integer()
    recency_weeks = ma.fields.Float()
    age_weeks = ma.fields.Float()
    average_spend = ma.fields.Decimal(as_string=True, allow_none=True)
    p_alive = ma.fields.Float()
    expected_purchases = ma.fields.Float()
    expected_value = ma.fields.Decimal(as_string=True, allow_none=True)
    churn_risk = ma.fields.String()
    computed_at = ma.fields.DateTime()


class CustomerValuePage(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(CustomerValueOut))
    next_cursor = ma.fields.String(allow_none=True)


class CustomerValueQuery(PageArgs):
    churn_risk = ma.fields.String(validate=ma.validate.OneOf(("low", "medium", "high")))


class ValueRefreshIn(RefreshIn):
    horizon_days = ma.fields.Integer(
        validate=ma.validate.Range(min=1, max=3650), metadata={"example": 365}
    )


class PyramidTierOut(ma.Schema):
    tier = ma.fields.String()
    customers = ma.fields.Integer()
    monetary = ma.fields.Decimal(as_string=True)


class PyramidOut(ma.Schema):
    tiers = ma.fields.List(ma.fields.Nested(PyramidTierOut))
    computed_at = ma.fields.DateTime(allow_none=True)


class LoyaltyValueOut(ma.Schema):
    quadrants = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    computed_at = ma.fields.DateTime(allow_none=True)


class WinBackIn(ma.Schema):
    name = ma.fields.String(validate=ma.validate.Length(min=1, max=200))
    risks = ma.fields.List(
        ma.fields.String(validate=ma.validate.OneOf(("low", "medium", "high"))),
        validate=ma.validate.Length(min=1, max=3),
        load_default=lambda: ["medium", "high"],
    )


# --- journeys ---------------------------------------------------------------------------


class JourneyIn(ma.Schema):
    name = _text(200, 1, required=True)
    trigger = ma.fields.String(required=True, validate=ma.validate.OneOf(("segment", "event")))
    segment_id = Id(allow_none=True)
    #: Checked by the service against the events of this installation (see ``/journeys/events``).
    event = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=100))
    event_value = ma.fields.String(
        allow_none=True,
        validate=ma.validate.Length(max=100),
        metadata={"description": "What the event must carry, e.g. the new stage."},
    )
    goal = ma.fields.Dict(
        keys=ma.fields.String(),
        allow_none=True,
        metadata={
            "description": "A rule tree: a customer meeting it leaves the journey as converted.",
            "example": {"all": [{"field": "lifecycle_stage", "op": "eq", "value": "customer"}]},
        },
    )
    #: Checked step by step by the service, which names the bad step's path.
    steps = ma.fields.List(
        ma.fields.Dict(keys=ma.fields.String()),
        required=True,
        metadata={"example": [{"wait": {"days": 3}}, {"tag": {"name": "回访"}}]},
    )
    status = ma.fields.String(validate=ma.validate.OneOf(("draft", "active", "paused")))


class JourneyStatusIn(ma.Schema):
    status = ma.fields.String(
        required=True, validate=ma.validate.OneOf(("draft", "active", "paused"))
    )


class JourneyOut(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    trigger = ma.fields.String()
    segment_id = ma.fields.Integer(allow_none=True)
    event = ma.fields.String(allow_none=True)
    event_value = ma.fields.String(allow_none=True)
    goal = ma.fields.Dict(allow_none=True)
    steps = ma.fields.List(ma.fields.Dict())
    status = ma.fields.String()
    created_at = ma.fields.DateTime()


class JourneyPage(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(JourneyOut))
    next_cursor = ma.fields.String(allow_none=True)


class JourneyEntryOut(ma.Schema):
    id = ma.fields.Integer()
    customer_id = ma.fields.Integer()
    step = ma.fields.Integer()
    status = ma.fields.String()
    due_at = ma.fields.DateTime()
    entered_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()


class JourneyEntryPage(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(JourneyEntryOut))
    next_cursor = ma.fields.String(allow_none=True)


class JourneyEntryQuery(PageArgs):
    status = ma.fields.String(
        validate=ma.validate.OneOf(("waiting", "done", "exited", "converted"))
    )


class JourneyEventOut(ma.Schema):
    event = ma.fields.String()
    label = ma.fields.String()
    plugin = ma.fields.String(allow_none=True)
    #: What ``event_value`` chooses on, and its allowed values; ``null``: no choice.
    option = ma.fields.String(allow_none=True)
    choices = ma.fields.List(ma.fields.String())
