"""Schemas of the power API (types and limits; the rules live in the services).

Named in the OpenAPI document with the plugin's prefix by the host (``PowerAccount…``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import marshmallow as ma
from flask_smorest.fields import Upload

from crm_host.sdk.web import MAX_ID, Id
from crm_industry_power.inspections import MAX_INTERVAL_DAYS
from crm_industry_power.models import (
    AREAS,
    CATEGORIES,
    EQUIPMENT_KINDS,
    GUARANTEE_KINDS,
    GUARANTEE_UNITS,
    INSPECTION_KINDS,
    INSPECTION_RESULTS,
    PERIODS,
    VOLTAGE_LEVELS,
)
from crm_industry_power.readings import UNITS
from crm_industry_power.storage import FIRST_YEAR, INTERVALS, LAST_YEAR
from crm_industry_power.tariffs import clock

#: Instants the API accepts for guarantees (the readings' years, in UTC).
_EARLIEST = datetime(FIRST_YEAR, 1, 1, tzinfo=UTC)
_LATEST = datetime(LAST_YEAR, 12, 31, tzinfo=UTC)
#: Days the API accepts (the readings' range).
DAY_RANGE = ma.validate.Range(min=date(FIRST_YEAR, 1, 1), max=date(LAST_YEAR, 12, 31))


def _day(**kwargs) -> ma.fields.Date:
    return ma.fields.Date(validate=DAY_RANGE, **kwargs)


def _number(maximum: float, **kwargs) -> ma.fields.Decimal:
    return ma.fields.Decimal(
        validate=ma.validate.Range(min=0, max=maximum, min_inclusive=False),
        as_string=True,
        metadata={"example": 630, "minimum": 0, "maximum": maximum},
        **kwargs,
    )


def _price(**kwargs) -> ma.fields.Decimal:
    return ma.fields.Decimal(
        places=4,
        validate=ma.validate.Range(min=0, max=99999999),
        as_string=True,
        metadata={"example": 0.6512, "minimum": 0, "maximum": 99999999},
        **kwargs,
    )


class PeriodIn(ma.Schema):
    period = ma.fields.String(required=True, validate=ma.validate.OneOf(PERIODS))
    start = ma.fields.String(required=True, metadata={"example": "08:00"})
    end = ma.fields.String(required=True, metadata={"example": "11:00"})


class TariffIn(ma.Schema):
    code = ma.fields.String(validate=ma.validate.Length(min=1, max=32))
    name = ma.fields.String(validate=ma.validate.Length(min=1, max=100))
    currency = ma.fields.String(validate=ma.validate.Regexp(r"^[A-Z]{3}$"))
    peak_price = _price()
    flat_price = _price()
    valley_price = _price()
    capacity_price = _price(allow_none=True)
    periods = ma.fields.List(ma.fields.Nested(PeriodIn), validate=ma.validate.Length(max=48))


class PeriodOut(ma.Schema):
    period = ma.fields.String()
    start = ma.fields.Function(lambda p: clock(p.start_minute))
    end = ma.fields.Function(lambda p: clock(p.end_minute))


class TariffOut(ma.Schema):
    id = ma.fields.Integer()
    code = ma.fields.String()
    name = ma.fields.String()
    currency = ma.fields.String()
    peak_price = ma.fields.Decimal(as_string=True)
    flat_price = ma.fields.Decimal(as_string=True)
    valley_price = ma.fields.Decimal(as_string=True)
    capacity_price = ma.fields.Decimal(as_string=True, allow_none=True)
    periods = ma.fields.List(ma.fields.Nested(PeriodOut))


class AccountIn(ma.Schema):
    number = ma.fields.String(validate=ma.validate.Length(min=1, max=32))
    customer_id = Id()
    service_point = ma.fields.String(validate=ma.validate.Length(min=1, max=200))
    category = ma.fields.String(validate=ma.validate.OneOf(list(CATEGORIES)))
    voltage_level = ma.fields.String(validate=ma.validate.OneOf(VOLTAGE_LEVELS))
    contracted_kva = _number(9999999)
    tariff = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=32))
    key_customer = ma.fields.Boolean()


class AccountQuery(ma.Schema):
    customer_id = Id(load_default=None)
    category = ma.fields.String(load_default=None, validate=ma.validate.OneOf(list(CATEGORIES)))
    limit = ma.fields.Integer(load_default=100, validate=ma.validate.Range(min=1, max=500))


class AccountOut(ma.Schema):
    id = ma.fields.Integer()
    number = ma.fields.String()
    customer_id = ma.fields.Integer()
    service_point = ma.fields.String()
    category = ma.fields.String()
    voltage_level = ma.fields.String()
    contracted_kva = ma.fields.Decimal(as_string=True)
    tariff = ma.fields.Function(lambda a: a.tariff.code if a.tariff else None)
    key_customer = ma.fields.Boolean()
    created_at = ma.fields.DateTime()


class MeterIn(ma.Schema):
    number = ma.fields.String(validate=ma.validate.Length(min=1, max=32))
    account_id = Id()
    multiplier = _number(999999)
    active = ma.fields.Boolean()


class MeterQuery(ma.Schema):
    account_id = Id(load_default=None)
    limit = ma.fields.Integer(load_default=100, validate=ma.validate.Range(min=1, max=500))


class MeterOut(ma.Schema):
    id = ma.fields.Integer()
    number = ma.fields.String()
    account_id = ma.fields.Integer()
    multiplier = ma.fields.Decimal(as_string=True)
    active = ma.fields.Boolean()


class EquipmentIn(ma.Schema):
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(EQUIPMENT_KINDS))
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=100))
    model = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=100))
    rated_kva = _number(9999999, allow_none=True)
    installed_on = _day(allow_none=True)


class EquipmentOut(ma.Schema):
    id = ma.fields.Integer()
    account_id = ma.fields.Integer()
    kind = ma.fields.String()
    name = ma.fields.String()
    model = ma.fields.String(allow_none=True)
    rated_kva = ma.fields.Decimal(as_string=True, allow_none=True)
    installed_on = ma.fields.Date(allow_none=True)


class ReadingsImportIn(ma.Schema):
    interval = ma.fields.Integer(required=True, validate=ma.validate.OneOf(INTERVALS))
    unit = ma.fields.String(required=True, validate=ma.validate.OneOf(UNITS))
    timezone = ma.fields.String(
        load_default=None,
        validate=ma.validate.Length(max=64),
        metadata={"description": "Zone of timestamps without an offset; the company's by default"},
    )


class ReadingsFileIn(ma.Schema):
    file = Upload(required=True)


class ProblemOut(ma.Schema):
    line = ma.fields.Integer()
    meter = ma.fields.String()
    reason = ma.fields.String()


class ImportReportOut(ma.Schema):
    rows = ma.fields.Integer()
    new = ma.fields.Integer()
    changed = ma.fields.Integer()
    unchanged = ma.fields.Integer()
    rejects = ma.fields.List(ma.fields.Nested(ProblemOut))
    gaps = ma.fields.List(ma.fields.Nested(ProblemOut))


class DayQuery(ma.Schema):
    day = _day(required=True, metadata={"example": "2026-11-01"})


class RangeQuery(ma.Schema):
    first = _day(required=True)
    last = _day(required=True)


class MetricsOut(ma.Schema):
    day = ma.fields.Date()
    interval = ma.fields.Integer()
    intervals = ma.fields.Integer()
    present = ma.fields.Integer()
    max_kw = ma.fields.Float(allow_none=True)
    max_at = ma.fields.DateTime(allow_none=True)
    min_kw = ma.fields.Float(allow_none=True)
    avg_kw = ma.fields.Float(allow_none=True)
    load_factor = ma.fields.Float(allow_none=True)
    min_ratio = ma.fields.Float(allow_none=True)
    peak_valley_kw = ma.fields.Float(allow_none=True)
    peak_valley_rate = ma.fields.Float(allow_none=True)
    utilisation = ma.fields.Float(allow_none=True)
    energy_kwh = ma.fields.Decimal(as_string=True)
    energy_by_period = ma.fields.Dict(
        keys=ma.fields.String(), values=ma.fields.Decimal(as_string=True)
    )
    cost_by_period = ma.fields.Dict(
        keys=ma.fields.String(), values=ma.fields.Decimal(as_string=True)
    )
    cost = ma.fields.Decimal(as_string=True, allow_none=True)
    currency = ma.fields.String(allow_none=True)


class PointOut(ma.Schema):
    start = ma.fields.DateTime()
    kw = ma.fields.Float(allow_none=True)
    period = ma.fields.String()


class LoadCurveOut(ma.Schema):
    account_id = ma.fields.Integer()
    day = ma.fields.Date()
    interval = ma.fields.Integer(allow_none=True)
    points = ma.fields.List(ma.fields.Nested(PointOut))
    metrics = ma.fields.Nested(MetricsOut, allow_none=True)


class SummaryOut(ma.Schema):
    first = ma.fields.Date()
    last = ma.fields.Date()
    days = ma.fields.Integer()
    max_kw = ma.fields.Float(allow_none=True)
    avg_load_factor = ma.fields.Float(allow_none=True)
    energy_kwh = ma.fields.Decimal(as_string=True)
    energy_by_period = ma.fields.Dict(
        keys=ma.fields.String(), values=ma.fields.Decimal(as_string=True)
    )
    cost = ma.fields.Decimal(as_string=True, allow_none=True)
    currency = ma.fields.String(allow_none=True)
    daily = ma.fields.List(ma.fields.Nested(MetricsOut))


class AdviceRefreshIn(ma.Schema):
    last_day = _day(load_default=None)


class AdviceQuery(ma.Schema):
    limit = ma.fields.Integer(load_default=100, validate=ma.validate.Range(min=1, max=500))


class AdviceOut(ma.Schema):
    id = ma.fields.Integer()
    account_id = ma.fields.Integer()
    rule = ma.fields.String()
    kind = ma.fields.String()
    first_day = ma.fields.Date()
    last_day = ma.fields.Date()
    figures = ma.fields.Dict()
    monthly_saving = ma.fields.Decimal(as_string=True, allow_none=True)
    currency = ma.fields.String(allow_none=True)
    computed_at = ma.fields.DateTime()


class BillIn(ma.Schema):
    month = ma.fields.String(required=True, metadata={"example": "2026-10"})


class ReportQuery(ma.Schema):
    month = ma.fields.String(required=True, metadata={"example": "2026-10"})
    format = ma.fields.String(load_default="pdf", validate=ma.validate.OneOf(("pdf", "html")))


class BillOut(ma.Schema):
    id = ma.fields.Integer()
    account_id = ma.fields.Integer()
    customer_id = ma.fields.Integer()
    month = ma.fields.Date()
    issued_at = ma.fields.DateTime()
    peak_kwh = ma.fields.Decimal(as_string=True)
    flat_kwh = ma.fields.Decimal(as_string=True)
    valley_kwh = ma.fields.Decimal(as_string=True)
    energy_amount = ma.fields.Decimal(as_string=True)
    capacity_amount = ma.fields.Decimal(as_string=True)
    amount = ma.fields.Decimal(as_string=True)
    currency = ma.fields.String()


class FaultIn(ma.Schema):
    description = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=4000))
    area = ma.fields.String(load_default="urban", validate=ma.validate.OneOf(AREAS))
    contact_phone = ma.fields.String(allow_none=True, validate=ma.validate.Length(min=1, max=32))


class FaultQuery(ma.Schema):
    account_id = Id(load_default=None)
    limit = ma.fields.Integer(load_default=100, validate=ma.validate.Range(min=1, max=500))


class FaultOut(ma.Schema):
    id = ma.fields.Integer()
    account_id = ma.fields.Integer()
    customer_id = ma.fields.Integer()
    description = ma.fields.String()
    contact_phone = ma.fields.String(allow_none=True)
    status = ma.fields.String()
    ticket_id = ma.fields.Integer(allow_none=True)
    area = ma.fields.String()
    reported_at = ma.fields.DateTime()
    arrived_at = ma.fields.DateTime(allow_none=True)


class ArrivalOut(ma.Schema):
    due_at = ma.fields.DateTime(allow_none=True)
    arrived_at = ma.fields.DateTime(allow_none=True)
    breached = ma.fields.Boolean()


class ServiceClassOut(ma.Schema):
    account_id = ma.fields.Integer()
    level = ma.fields.String()
    reason = ma.fields.String()
    annual_kwh = ma.fields.Decimal(as_string=True)
    computed_at = ma.fields.DateTime(allow_none=True)


class TypicalDayOut(ma.Schema):
    account_id = ma.fields.Integer()
    first = ma.fields.Date()
    last = ma.fields.Date()
    days = ma.fields.Integer()
    interval = ma.fields.Integer(allow_none=True)
    kw = ma.fields.List(ma.fields.Float(allow_none=True))


class DayTotalOut(ma.Schema):
    day = ma.fields.Date()
    energy_kwh = ma.fields.Decimal(as_string=True)
    energy_by_period = ma.fields.Dict(
        keys=ma.fields.String(), values=ma.fields.Decimal(as_string=True)
    )
    max_kw = ma.fields.Float(allow_none=True)


class InspectionPlanIn(ma.Schema):
    account_id = Id(required=True)
    equipment_id = Id(allow_none=True)
    interval_days = ma.fields.Integer(
        required=True, validate=ma.validate.Range(min=1, max=MAX_INTERVAL_DAYS)
    )
    next_due = _day(required=True)
    responsible_id = Id(allow_none=True)
    active = ma.fields.Boolean()


def _query_id() -> ma.fields.Integer:
    # Not strict: a query string carries the id as text.
    return ma.fields.Integer(load_default=None, validate=ma.validate.Range(min=1, max=MAX_ID))


class InspectionPlanQuery(ma.Schema):
    account_id = _query_id()
    overdue = ma.fields.Boolean(
        load_default=False, metadata={"description": "Only plans whose due date has passed"}
    )


class InspectionPlanOut(ma.Schema):
    id = ma.fields.Integer()
    account_id = ma.fields.Integer()
    equipment_id = ma.fields.Integer(allow_none=True)
    interval_days = ma.fields.Integer()
    next_due = ma.fields.Date()
    responsible_id = ma.fields.Integer(allow_none=True)
    active = ma.fields.Boolean()
    overdue = ma.fields.Method("_overdue", metadata={"type": "boolean"})
    flagged_due = ma.fields.Date(allow_none=True)

    def _overdue(self, plan) -> bool:
        # Overdue is judged on the company's local date, as the schedule judges it.
        from crm_host.sdk import utcnow
        from crm_industry_power.inspections import is_overdue
        from crm_industry_power.zones import company_timezone

        return is_overdue(plan, utcnow().astimezone(company_timezone()).date())


class InspectionRecordIn(ma.Schema):
    kind = ma.fields.String(load_default="patrol", validate=ma.validate.OneOf(INSPECTION_KINDS))
    inspected_on = _day(required=True)
    inspector_id = Id(allow_none=True)
    findings = ma.fields.String(load_default="", validate=ma.validate.Length(max=4000))
    result = ma.fields.String(required=True, validate=ma.validate.OneOf(INSPECTION_RESULTS))
    follow_up = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=4000))


class InspectionRecordOut(ma.Schema):
    id = ma.fields.Integer()
    plan_id = ma.fields.Integer()
    kind = ma.fields.String()
    inspected_on = ma.fields.Date()
    inspector_id = ma.fields.Integer(allow_none=True)
    findings = ma.fields.String()
    result = ma.fields.String()
    follow_up = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime()


class GuaranteeTypeIn(ma.Schema):
    code = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=32))
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=100))
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(GUARANTEE_KINDS))
    target_value = ma.fields.Integer(
        required=True, strict=True, validate=ma.validate.Range(min=0, max=100_000)
    )
    target_unit = ma.fields.String(required=True, validate=ma.validate.OneOf(GUARANTEE_UNITS))
    calendar = ma.fields.String(
        validate=ma.validate.Length(min=1, max=100),
        metadata={"description": "A business calendar's name (crm calendars list), or 24x7"},
    )
    credit_amount = _price(required=True)
    currency = ma.fields.String(validate=ma.validate.Regexp(r"^[A-Z]{3}$"))
    active = ma.fields.Boolean()


class GuaranteeTypeOut(ma.Schema):
    id = ma.fields.Integer()
    code = ma.fields.String()
    name = ma.fields.String()
    kind = ma.fields.String()
    target_value = ma.fields.Integer()
    target_unit = ma.fields.String()
    calendar = ma.fields.String()
    credit_amount = ma.fields.Decimal(as_string=True)
    currency = ma.fields.String()
    active = ma.fields.Boolean()


class GuaranteeIn(ma.Schema):
    type = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=32))
    customer_id = Id(allow_none=True)
    account_id = Id(allow_none=True)
    reference = ma.fields.String(load_default="", validate=ma.validate.Length(max=200))
    started_at = ma.fields.AwareDateTime(
        allow_none=True, validate=ma.validate.Range(min=_EARLIEST, max=_LATEST)
    )
    event_at = ma.fields.AwareDateTime(
        allow_none=True, validate=ma.validate.Range(min=_EARLIEST, max=_LATEST)
    )


class GuaranteeQuery(ma.Schema):
    customer_id = _query_id()
    breached = ma.fields.Boolean(load_default=None, allow_none=True)


class GuaranteeOut(ma.Schema):
    id = ma.fields.Integer()
    type_id = ma.fields.Integer()
    customer_id = ma.fields.Integer()
    account_id = ma.fields.Integer(allow_none=True)
    reference = ma.fields.String()
    started_at = ma.fields.DateTime()
    event_at = ma.fields.DateTime(allow_none=True)
    due_at = ma.fields.DateTime()
    met_at = ma.fields.DateTime(allow_none=True)
    breached_at = ma.fields.DateTime(allow_none=True)
    credit_owed = ma.fields.Decimal(as_string=True, allow_none=True)
    currency = ma.fields.String()
