"""Schemas of the sales API (types and limits; the rules live in the services).

Named in the OpenAPI document with the plugin's prefix by the host (``SalesLead``).
"""

from __future__ import annotations

import marshmallow as ma

from crm_host.sdk.web import MAX_ID, Id, PageArgs


def _query_id() -> ma.fields.Integer:
    # Query strings carry text: a strict integer field would refuse every "12".
    return ma.fields.Integer(validate=ma.validate.Range(min=1, max=MAX_ID))


def _text(max_length: int, **kwargs) -> ma.fields.String:
    kwargs.setdefault("allow_none", True)
    return ma.fields.String(validate=ma.validate.Length(max=max_length), **kwargs)


def _amount(**kwargs) -> ma.fields.Decimal:
    # A number in the document (a string type may not carry a maximum); numeric strings
    # such as "120000.00" load too, and keep their exact value.
    return ma.fields.Decimal(
        places=2,
        validate=ma.validate.Range(min=0, max=9999999999999),
        # apispec would print the bounds as strings (the field's own format).
        metadata={"example": 12000, "minimum": 0, "maximum": 9999999999999},
        **kwargs,
    )


def _percent() -> ma.fields.Decimal:
    return ma.fields.Decimal(
        load_default=0,
        places=2,
        validate=ma.validate.Range(min=0, max=100),
        metadata={"default": 0, "minimum": 0, "maximum": 100},
    )


def _quantity() -> ma.fields.Decimal:
    return ma.fields.Decimal(
        load_default=1,
        places=3,
        validate=ma.validate.Range(min=0, max=999999999, min_inclusive=False),
        metadata={"default": 1, "minimum": 0, "exclusiveMinimum": True, "maximum": 999999999},
    )


CURRENCY = {"validate": ma.validate.Regexp(r"^[A-Z]{3}$"), "metadata": {"example": "CNY"}}
LEAD_STATUSES = ["new", "contacted", "qualified", "converted", "disqualified"]


class LeadIn(ma.Schema):
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    company = _text(200)
    email = _text(320)
    phone = _text(32)
    source = _text(64, metadata={"example": "web"})
    campaign = _text(100)
    owner_id = Id(allow_none=True)
    department = _text(200, metadata={"description": "Department code or name"})


class LeadOut(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    company = ma.fields.String(allow_none=True)
    email = ma.fields.String(allow_none=True)
    phone = ma.fields.String(allow_none=True)
    status = ma.fields.Function(lambda lead: lead.status.value)
    disqualified_reason = ma.fields.String(allow_none=True)
    source = ma.fields.String(allow_none=True)
    campaign = ma.fields.String(allow_none=True)
    score = ma.fields.Integer()
    owner_id = ma.fields.Integer(allow_none=True)
    unassigned_reason = ma.fields.Function(
        lambda lead: getattr(lead, "unassigned_reason", None),
        metadata={"description": "Why a lead just captured got no owner"},
    )
    department_id = ma.fields.Integer(allow_none=True)
    customer_id = ma.fields.Integer(allow_none=True)
    converted_at = ma.fields.DateTime(allow_none=True)
    created_at = ma.fields.DateTime()


class LeadPage(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(LeadOut))
    next_cursor = ma.fields.String(allow_none=True)


class LeadQuery(PageArgs):
    status = ma.fields.String(validate=ma.validate.OneOf(LEAD_STATUSES))
    owner_id = _query_id()
    source = ma.fields.String(validate=ma.validate.Length(max=64))


class LeadStatusIn(ma.Schema):
    status = ma.fields.String(required=True, validate=ma.validate.OneOf(LEAD_STATUSES))
    reason = _text(300)


class ConvertIn(ma.Schema):
    customer_id = Id(allow_none=True, metadata={"description": "Convert into this customer"})
    customer_code = ma.fields.String(validate=ma.validate.Length(min=1, max=64))
    opportunity_name = ma.fields.String(validate=ma.validate.Length(min=1, max=200))
    amount = _amount()
    currency = ma.fields.String(**CURRENCY)
    expected_close = ma.fields.Date(allow_none=True)
    stage = ma.fields.String(validate=ma.validate.Length(min=1, max=32))


class CustomerRef(ma.Schema):
    id = ma.fields.Integer()
    code = ma.fields.String()
    name = ma.fields.String()


class StageOut(ma.Schema):
    id = ma.fields.Integer()
    code = ma.fields.String()
    name = ma.fields.String()
    position = ma.fields.Integer()
    probability = ma.fields.Integer()
    is_won = ma.fields.Boolean()
    is_lost = ma.fields.Boolean()


class OpportunityIn(ma.Schema):
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    customer_id = Id(required=True)
    amount = _amount()
    currency = ma.fields.String(**CURRENCY)
    expected_close = ma.fields.Date(allow_none=True)
    stage = ma.fields.String(validate=ma.validate.Length(min=1, max=32))
    owner_id = Id(allow_none=True)
    department = _text(200)


class OpportunityPatch(ma.Schema):
    name = ma.fields.String(validate=ma.validate.Length(min=1, max=200))
    amount = _amount()
    currency = ma.fields.String(**CURRENCY)
    expected_close = ma.fields.Date(allow_none=True)
    owner_id = Id(allow_none=True)
    department = _text(200)


class OpportunityOut(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    customer_id = ma.fields.Integer()
    lead_id = ma.fields.Integer(allow_none=True)
    amount = ma.fields.Decimal(as_string=True)
    currency = ma.fields.String()
    expected_close = ma.fields.Date(allow_none=True)
    stage = ma.fields.Function(lambda o: o.stage.code)
    probability = ma.fields.Function(lambda o: o.stage.probability)
    status = ma.fields.Function(lambda o: o.status.value)
    lost_reason = ma.fields.String(allow_none=True)
    owner_id = ma.fields.Integer(allow_none=True)
    department_id = ma.fields.Integer(allow_none=True)
    stage_entered_at = ma.fields.DateTime()
    closed_at = ma.fields.DateTime(allow_none=True)
    created_at = ma.fields.DateTime()


class OpportunityPage(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(OpportunityOut))
    next_cursor = ma.fields.String(allow_none=True)


class OpportunityQuery(PageArgs):
    status = ma.fields.String(validate=ma.validate.OneOf(["open", "won", "lost"]))
    stage = ma.fields.String(validate=ma.validate.Length(max=32))
    customer_id = _query_id()
    owner_id = _query_id()


class StageChangeIn(ma.Schema):
    stage = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=32))
    lost_reason = _text(300)


class LostIn(ma.Schema):
    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=300))


class StageChangeOut(ma.Schema):
    from_stage_id = ma.fields.Integer(allow_none=True)
    to_stage_id = ma.fields.Integer()
    changed_at = ma.fields.DateTime()
    changed_by_id = ma.fields.Integer(allow_none=True)


class ConversionOut(ma.Schema):
    lead = ma.fields.Nested(LeadOut)
    customer = ma.fields.Nested(CustomerRef)
    opportunity = ma.fields.Nested(OpportunityOut)


class ProductIn(ma.Schema):
    code = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=64))
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    unit_price = _amount(required=True)
    currency = ma.fields.String(**CURRENCY)


class ProductOut(ma.Schema):
    id = ma.fields.Integer()
    code = ma.fields.String()
    name = ma.fields.String()
    unit_price = ma.fields.Decimal(as_string=True)
    currency = ma.fields.String()
    active = ma.fields.Boolean()


class OrderLineIn(ma.Schema):
    product_id = Id(allow_none=True)
    description = _text(200)
    quantity = ma.fields.Decimal(
        load_default=1,
        places=3,
        validate=ma.validate.Range(min=0, max=999999999, min_inclusive=False),
        metadata={"default": 1, "minimum": 0, "exclusiveMinimum": True, "maximum": 999999999},
    )
    unit_price = _amount(allow_none=True)
    discount_percent = _percent()


class OrderIn(ma.Schema):
    customer_id = Id(required=True)
    opportunity_id = Id(allow_none=True)
    number = ma.fields.String(validate=ma.validate.Length(min=1, max=32))
    currency = ma.fields.String(**CURRENCY)
    ordered_at = ma.fields.AwareDateTime(default_timezone=None)
    lines = ma.fields.List(
        ma.fields.Nested(OrderLineIn), required=True, validate=ma.validate.Length(min=1, max=500)
    )


class OrderLineOut(ma.Schema):
    id = ma.fields.Integer()
    product_id = ma.fields.Integer(allow_none=True)
    description = ma.fields.String()
    quantity = ma.fields.Decimal(as_string=True)
    unit_price = ma.fields.Decimal(as_string=True)
    discount_percent = ma.fields.Decimal(as_string=True)
    amount = ma.fields.Decimal(as_string=True)


class OrderOut(ma.Schema):
    id = ma.fields.Integer()
    number = ma.fields.String()
    customer_id = ma.fields.Integer()
    opportunity_id = ma.fields.Integer(allow_none=True)
    ordered_at = ma.fields.DateTime()
    currency = ma.fields.String()
    amount = ma.fields.Decimal(as_string=True)
    lines = ma.fields.List(ma.fields.Nested(OrderLineOut))


class OrderPage(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(OrderOut))
    next_cursor = ma.fields.String(allow_none=True)


class OrderQuery(PageArgs):
    customer_id = _query_id()


class StageFiguresOut(ma.Schema):
    code = ma.fields.String()
    name = ma.fields.String()
    probability = ma.fields.Integer()
    count = ma.fields.Integer()
    amounts = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Decimal(as_string=True))
    weighted = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Decimal(as_string=True))


class ForecastRowOut(ma.Schema):
    month = ma.fields.String(allow_none=True)
    currency = ma.fields.String()
    count = ma.fields.Integer()
    amount = ma.fields.Decimal(as_string=True)
    weighted = ma.fields.Decimal(as_string=True)


class StageIn(ma.Schema):
    code = ma.fields.String(required=True, validate=ma.validate.Length(min=2, max=32))
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=100))
    position = ma.fields.Integer(strict=True, validate=ma.validate.Range(min=0, max=10_000))
    probability = ma.fields.Integer(strict=True, validate=ma.validate.Range(min=0, max=100))
    is_won = ma.fields.Boolean()
    is_lost = ma.fields.Boolean()


class StagePatch(ma.Schema):
    name = ma.fields.String(validate=ma.validate.Length(min=1, max=100))
    position = ma.fields.Integer(strict=True, validate=ma.validate.Range(min=0, max=10_000))
    probability = ma.fields.Integer(strict=True, validate=ma.validate.Range(min=0, max=100))
    is_won = ma.fields.Boolean()
    is_lost = ma.fields.Boolean()


class ScoringRuleIn(ma.Schema):
    field = ma.fields.String(
        required=True,
        validate=ma.validate.OneOf(["source", "campaign", "company", "email", "phone", "name"]),
    )
    operator = ma.fields.String(
        required=True, validate=ma.validate.OneOf(["present", "equals", "endswith"])
    )
    value = _text(200)
    points = ma.fields.Integer(
        required=True, strict=True, validate=ma.validate.Range(min=-1000, max=1000)
    )


class ScoringRuleOut(ma.Schema):
    id = ma.fields.Integer()
    field = ma.fields.String()
    operator = ma.fields.String()
    value = ma.fields.String()
    points = ma.fields.Integer()
    active = ma.fields.Boolean()


class FunnelStepOut(ma.Schema):
    code = ma.fields.String()
    reached = ma.fields.Integer()
    conversion = ma.fields.Decimal(as_string=True, allow_none=True)


class PerformanceOut(ma.Schema):
    funnel = ma.fields.List(ma.fields.Nested(FunnelStepOut))
    win_rate = ma.fields.Decimal(as_string=True, allow_none=True)
    average_cycle_days = ma.fields.Decimal(as_string=True, allow_none=True)


class RulesQuery(ma.Schema):
    min_support = ma.fields.Float(
        load_default=0.01, validate=ma.validate.Range(min=0.0001, max=1), allow_nan=False
    )
    min_confidence = ma.fields.Float(
        load_default=0.3, validate=ma.validate.Range(min=0, max=1), allow_nan=False
    )
    limit = ma.fields.Integer(load_default=100, validate=ma.validate.Range(min=1, max=1000))


class RuleOut(ma.Schema):
    antecedent = ma.fields.List(ma.fields.String(), metadata={"description": "Product codes"})
    consequent = ma.fields.List(ma.fields.String())
    support = ma.fields.Float()
    confidence = ma.fields.Float()
    lift = ma.fields.Float()


class RecommendationOut(ma.Schema):
    product_id = ma.fields.Integer()
    code = ma.fields.String()
    name = ma.fields.String()
    confidence = ma.fields.Float()
    lift = ma.fields.Float()
    because = ma.fields.List(ma.fields.String(), metadata={"description": "Product codes bought"})


class ActivityIn(ma.Schema):
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(["call", "meeting", "task"]))
    subject = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=300))
    notes = _text(10_000)
    due_at = ma.fields.AwareDateTime(required=True)
    customer_id = Id(allow_none=True)
    lead_id = Id(allow_none=True)
    opportunity_id = Id(allow_none=True)
    owner_id = Id(allow_none=True)


class ActivityOut(ma.Schema):
    id = ma.fields.Integer()
    kind = ma.fields.Function(lambda a: a.kind.value)
    subject = ma.fields.String()
    notes = ma.fields.String(allow_none=True)
    customer_id = ma.fields.Integer(allow_none=True)
    lead_id = ma.fields.Integer(allow_none=True)
    opportunity_id = ma.fields.Integer(allow_none=True)
    owner_id = ma.fields.Integer(allow_none=True)
    due_at = ma.fields.DateTime()
    reminded_at = ma.fields.DateTime(allow_none=True)
    done_at = ma.fields.DateTime(allow_none=True)


class ActivityPage(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(ActivityOut))
    next_cursor = ma.fields.String(allow_none=True)


class ActivityQuery(PageArgs):
    owner_id = _query_id()
    customer_id = _query_id()
    open = ma.fields.Boolean(metadata={"description": "Only activities not done yet"})


class PriceListIn(ma.Schema):
    code = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=32))
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=100))
    currency = ma.fields.String(**CURRENCY)
    valid_from = ma.fields.Date(allow_none=True)
    valid_to = ma.fields.Date(allow_none=True)
    is_default = ma.fields.Boolean(load_default=False)


class PriceIn(ma.Schema):
    product_id = Id(required=True)
    unit_price = _amount(required=True)


class PriceOut(ma.Schema):
    product_id = ma.fields.Integer()
    unit_price = ma.fields.Decimal(as_string=True)


class PriceListOut(ma.Schema):
    id = ma.fields.Integer()
    code = ma.fields.String()
    name = ma.fields.String()
    currency = ma.fields.String()
    valid_from = ma.fields.Date(allow_none=True)
    valid_to = ma.fields.Date(allow_none=True)
    is_default = ma.fields.Boolean()
    prices = ma.fields.List(ma.fields.Nested(PriceOut))


class PriceListBrief(ma.Schema):
    id = ma.fields.Integer()
    code = ma.fields.String()
    name = ma.fields.String()
    currency = ma.fields.String()
    valid_from = ma.fields.Date(allow_none=True)
    valid_to = ma.fields.Date(allow_none=True)


class CustomerPriceListIn(ma.Schema):
    price_list_id = Id(required=True, allow_none=True)


class CustomerPriceListOut(ma.Schema):
    customer_id = ma.fields.Integer()
    price_list = ma.fields.Nested(PriceListBrief, allow_none=True)


QUOTE_STATUSES = ["draft", "sent", "accepted", "rejected", "expired"]


class QuoteLineIn(ma.Schema):
    product_id = Id(required=True)
    description = _text(200)
    quantity = _quantity()
    discount_percent = _percent()


class QuoteIn(ma.Schema):
    customer_id = Id(required=True)
    opportunity_id = Id(allow_none=True)
    price_list_id = Id(allow_none=True, metadata={"description": "The default list if not given"})
    valid_until = ma.fields.Date(allow_none=True)
    lines = ma.fields.List(
        ma.fields.Nested(QuoteLineIn), required=True, validate=ma.validate.Length(min=1, max=200)
    )


class QuoteLineOut(ma.Schema):
    id = ma.fields.Integer()
    product_id = ma.fields.Integer()
    description = ma.fields.String()
    quantity = ma.fields.Decimal(as_string=True)
    unit_price = ma.fields.Decimal(as_string=True)
    discount_percent = ma.fields.Decimal(as_string=True)
    amount = ma.fields.Decimal(as_string=True)


class QuoteOut(ma.Schema):
    id = ma.fields.Integer()
    number = ma.fields.String()
    customer_id = ma.fields.Integer()
    opportunity_id = ma.fields.Integer(allow_none=True)
    price_list_id = ma.fields.Integer()
    currency = ma.fields.String()
    status = ma.fields.Function(lambda q: q.status.value)
    valid_until = ma.fields.Date(allow_none=True)
    subtotal = ma.fields.Decimal(as_string=True)
    discount = ma.fields.Decimal(as_string=True)
    total = ma.fields.Decimal(as_string=True)
    order_id = ma.fields.Integer(allow_none=True)
    lines = ma.fields.List(ma.fields.Nested(QuoteLineOut))


class QuotePage(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(QuoteOut))
    next_cursor = ma.fields.String(allow_none=True)


class QuoteQuery(PageArgs):
    customer_id = _query_id()
    status = ma.fields.String(validate=ma.validate.OneOf(QUOTE_STATUSES))


class QuoteStatusIn(ma.Schema):
    status = ma.fields.String(
        required=True, validate=ma.validate.OneOf(["sent", "accepted", "rejected", "expired"])
    )


class AssignmentIn(ma.Schema):
    method = ma.fields.String(
        required=True, validate=ma.validate.OneOf(["round_robin", "least_loaded"])
    )


class CapacityIn(ma.Schema):
    capacity = ma.fields.Integer(
        required=True,
        allow_none=True,
        strict=True,
        validate=ma.validate.Range(min=0, max=100000),
        metadata={"description": "Most open leads and opportunities; null lifts the cap"},
    )


class SellerLoadOut(ma.Schema):
    user_id = ma.fields.Integer()
    username = ma.fields.String()
    open = ma.fields.Integer()
    capacity = ma.fields.Integer(allow_none=True)


class AssignmentOut(ma.Schema):
    department_id = ma.fields.Integer()
    method = ma.fields.String()
    sellers = ma.fields.List(ma.fields.Nested(SellerLoadOut))
