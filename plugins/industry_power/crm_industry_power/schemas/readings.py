"""Schemas of readings imports, load curves and metrics."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest.fields import Upload

from crm_industry_power.readings import UNITS
from crm_industry_power.schemas.fields import day_field
from crm_industry_power.storage import INTERVALS


class ReadingsImportIn(ma.Schema):
    interval = ma.fields.Integer(required=True, validate=ma.validate.OneOf(INTERVALS))
    unit = ma.fields.String(
        load_default=None,
        validate=ma.validate.OneOf(UNITS),
        metadata={"description": "The file's unit; may be said by the value header instead"},
    )
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
    overloads = ma.fields.List(ma.fields.Nested(ProblemOut))


class DayQuery(ma.Schema):
    day = day_field(required=True, metadata={"example": "2026-11-01"})


class RangeQuery(ma.Schema):
    first = day_field(required=True)
    last = day_field(required=True)


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


class FigureOut(ma.Schema):
    key = ma.fields.String()
    label = ma.fields.String()
    value = ma.fields.Float(allow_none=True)
    unit = ma.fields.String()


class LoadCurveOut(ma.Schema):
    account_id = ma.fields.Integer()
    day = ma.fields.Date()
    interval = ma.fields.Integer(allow_none=True)
    points = ma.fields.List(ma.fields.Nested(PointOut))
    metrics = ma.fields.Nested(MetricsOut, allow_none=True)
    #: The metric set every surface shows, in the account's display unit.
    display_unit = ma.fields.String()
    figures = ma.fields.List(ma.fields.Nested(FigureOut))


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
