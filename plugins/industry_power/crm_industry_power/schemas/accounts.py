"""Schemas of accounts, meters, equipment and service classes."""

from __future__ import annotations

import marshmallow as ma

from crm_host.sdk import validation as check
from crm_host.sdk.web import Id
from crm_industry_power.models import (
    CATEGORIES,
    DISPLAY_UNITS,
    EQUIPMENT_KINDS,
    QUANTITIES,
    VOLTAGE_LEVELS,
)
from crm_industry_power.profiles import KVA, MULTIPLIER
from crm_industry_power.schemas.fields import day_field


class AccountIn(ma.Schema):
    number = ma.fields.String(validate=ma.validate.Length(min=1, max=32))
    customer_id = Id()
    service_point = check.Text(200, allow_blank=False, allow_none=False)
    category = check.Choice(CATEGORIES)
    voltage_level = check.Choice(VOLTAGE_LEVELS)
    contracted_kva = check.Decimal(**KVA, as_string=True, metadata={"example": 630})
    tariff = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=32))
    key_customer = ma.fields.Boolean()
    display_unit = ma.fields.String(validate=ma.validate.OneOf(DISPLAY_UNITS))
    refuse_overload = ma.fields.Boolean()


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
    display_unit = ma.fields.String()
    refuse_overload = ma.fields.Boolean()
    created_at = ma.fields.DateTime()


class MeterIn(ma.Schema):
    number = ma.fields.String(validate=ma.validate.Length(min=1, max=32))
    account_id = Id()
    multiplier = check.Decimal(**MULTIPLIER, as_string=True, metadata={"example": 40})
    active = ma.fields.Boolean()
    quantity = ma.fields.String(validate=ma.validate.OneOf(QUANTITIES))


class MeterQuery(ma.Schema):
    account_id = Id(load_default=None)
    limit = ma.fields.Integer(load_default=100, validate=ma.validate.Range(min=1, max=500))


class MeterOut(ma.Schema):
    id = ma.fields.Integer()
    number = ma.fields.String()
    account_id = ma.fields.Integer()
    multiplier = ma.fields.Decimal(as_string=True)
    active = ma.fields.Boolean()
    quantity = ma.fields.String()


class EquipmentIn(ma.Schema):
    kind = check.Choice(EQUIPMENT_KINDS, required=True)
    name = check.Text(100, required=True, allow_blank=False, allow_none=False)
    model = check.Text(100)
    rated_kva = check.Decimal(**KVA, as_string=True, allow_none=True)
    installed_on = day_field(allow_none=True)


class EquipmentOut(ma.Schema):
    id = ma.fields.Integer()
    account_id = ma.fields.Integer()
    kind = ma.fields.String()
    name = ma.fields.String()
    model = ma.fields.String(allow_none=True)
    rated_kva = ma.fields.Decimal(as_string=True, allow_none=True)
    installed_on = ma.fields.Date(allow_none=True)


class ServiceClassOut(ma.Schema):
    account_id = ma.fields.Integer()
    level = ma.fields.String()
    reason = ma.fields.String()
    annual_kwh = ma.fields.Decimal(as_string=True)
    computed_at = ma.fields.DateTime(allow_none=True)
