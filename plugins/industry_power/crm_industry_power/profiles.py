"""Accounts (户号), their meters and their equipment: the utility profile of a customer."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.sdk import Conflict, NotFound, ValidationFailed
from crm_host.sdk import validation as check
from crm_industry_power import auditing
from crm_industry_power.models import (
    CAPACITY_CAPS,
    CATEGORIES,
    DISPLAY_UNITS,
    EQUIPMENT_KINDS,
    QUANTITIES,
    VOLTAGE_LEVELS,
    Account,
    Equipment,
    Meter,
)
from crm_industry_power.tariffs import tariff_by_code

NUMBER_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_-]{0,31}$")
#: The largest rating of a piece of equipment, and of any account (the largest cap).
MAX_KVA = Decimal(max(CAPACITY_CAPS.values())) + 1
#: The rules of a capacity in kVA and of a meter's multiplier (both above 0).
KVA = {"places": 1, "minimum": 0, "maximum": MAX_KVA, "min_exclusive": True, "max_exclusive": True}
MULTIPLIER = {
    "places": 3,
    "minimum": 0,
    "maximum": 1000000,
    "min_exclusive": True,
    "max_exclusive": True,
}


def _is_number(value: Any) -> bool:
    try:
        return Decimal(str(value)).is_finite()
    except (InvalidOperation, ValueError):
        return False


def _number(
    session: Session, model: type[Account] | type[Meter], value: Any, errors: dict[str, list[str]]
) -> str | None:
    if not isinstance(value, str) or not NUMBER_RE.match(value):
        errors["number"] = ["1–32 letters, digits, _ or -."]
        return None
    if session.scalar(sa.select(model.id).where(model.number == value)) is not None:
        raise Conflict(f"number {value} is taken", details={"number": ["Taken."]})
    return value


#: What a new account must be given.
ACCOUNT_REQUIRED = (
    "number",
    "customer_id",
    "service_point",
    "category",
    "voltage_level",
    "contracted_kva",
)


def _given(data: dict[str, Any], field: str) -> bool:
    return data.get(field) not in (None, "")


def _check_identity(
    session: Session,
    data: dict[str, Any],
    row: Account | None,
    errors: dict[str, list[str]],
    values: dict[str, Any],
) -> None:
    """A new account has every required field and a free number; a known one keeps its
    number."""
    if row is None:
        for field in ACCOUNT_REQUIRED:
            if not _given(data, field):
                errors[field] = ["Required."]
        if "number" not in errors:
            values["number"] = _number(session, Account, data["number"], errors)
    elif "number" in data and data["number"] != row.number:
        errors["number"] = ["An account keeps its number."]


def _check_place(
    session: Session, data: dict[str, Any], errors: dict[str, list[str]], values: dict[str, Any]
) -> None:
    """Whose account it is and where: the customer and the service point."""
    if _given(data, "customer_id"):
        values["customer_id"] = check.customer_ref(
            session, data["customer_id"], "customer_id", errors
        )
    if _given(data, "service_point"):
        values["service_point"] = check.text(
            data["service_point"], "service_point", errors, max_length=200, required=True
        )


def _check_supply(
    data: dict[str, Any],
    errors: dict[str, list[str]],
    values: dict[str, Any],
    row: Account | None = None,
) -> None:
    """How it is supplied: category, voltage level and contracted capacity, which is
    capped by the category (the new one, or the account's own when it keeps it)."""
    if _given(data, "category"):
        values["category"] = check.choice(data["category"], "category", errors, CATEGORIES)
    if _given(data, "voltage_level"):
        values["voltage_level"] = check.choice(
            data["voltage_level"], "voltage_level", errors, VOLTAGE_LEVELS
        )
    _check_capacity(data, errors, values, row)


def _check_capacity(
    data: dict[str, Any], errors: dict[str, list[str]], values: dict[str, Any], row: Account | None
) -> None:
    """The contracted capacity, at most the cap of the account's category."""
    category = values.get("category") or (row.category if row is not None else None)
    cap = Decimal(CAPACITY_CAPS.get(str(category), max(CAPACITY_CAPS.values())))
    kva = data.get("contracted_kva") if _given(data, "contracted_kva") else None
    if kva is None and row is not None and "category" in values:
        kva = row.contracted_kva  # a new category must still hold the capacity
    if kva is None:
        return
    rules = {**KVA, "maximum": cap, "max_exclusive": False}
    values["contracted_kva"] = check.decimal(kva, "contracted_kva", errors, **rules)
    if values["contracted_kva"] is not None:
        return
    if not _is_number(kva):
        errors["contracted_kva"] = ["A number."]
    elif category in CAPACITY_CAPS:
        errors["contracted_kva"] = [
            f"Greater than 0 and at most {cap:,} kVA for a {category} account."
        ]


def _check_terms(
    session: Session, data: dict[str, Any], errors: dict[str, list[str]], values: dict[str, Any]
) -> None:
    """The tariff (by code; empty: none) and the key-customer flag."""
    if "tariff" in data:
        if data["tariff"] in (None, ""):
            values["tariff_id"] = None
        else:
            try:
                values["tariff_id"] = tariff_by_code(session, str(data["tariff"])).id
            except ValidationFailed as error:
                errors.update(error.details)
    if "key_customer" in data and data["key_customer"] is not None:
        values["key_customer"] = bool(data["key_customer"])
    if "refuse_overload" in data and data["refuse_overload"] is not None:
        values["refuse_overload"] = bool(data["refuse_overload"])
    if _given(data, "display_unit"):
        if data["display_unit"] not in DISPLAY_UNITS:
            errors["display_unit"] = [f"One of {', '.join(DISPLAY_UNITS)}."]
        values["display_unit"] = data["display_unit"]


def save_account(session: Session, data: dict[str, Any], row: Account | None = None) -> Account:
    """Create an account or change ``row``. The number (户号) is unique and fixed."""
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    _check_identity(session, data, row, errors, values)
    _check_place(session, data, errors, values)
    _check_supply(data, errors, values, row)
    _check_terms(session, data, errors, values)
    if errors:
        raise ValidationFailed("the account is not valid", details=errors)
    before = None if row is None else auditing.snapshot(row)
    if row is None:
        row = Account(key_customer=False, refuse_overload=False, display_unit="kW")
        session.add(row)
    for key, value in values.items():
        setattr(row, key, value)
    session.flush()
    auditing.saved(session, row, before)
    return row


def get_account(session: Session, account_id: int) -> Account:
    """The account with this id, or 404."""
    account = session.get(Account, account_id)
    if account is None:
        raise NotFound(f"no account with id {account_id}")
    return account


def accounts_of(session: Session, customer_id: int) -> list[Account]:
    """A customer's accounts, by number."""
    return list(
        session.scalars(
            sa.select(Account).where(Account.customer_id == customer_id).order_by(Account.number)
        )
    )


def save_meter(session: Session, data: dict[str, Any], row: Meter | None = None) -> Meter:
    """Add a meter to an account or change ``row``; meter numbers are unique."""
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    if row is None:
        for field in ("number", "account_id"):
            if data.get(field) in (None, ""):
                errors[field] = ["Required."]
        if "number" not in errors:
            values["number"] = _number(session, Meter, data["number"], errors)
    elif "number" in data and data["number"] != row.number:
        errors["number"] = ["A meter keeps its number."]
    if data.get("account_id") not in (None, ""):
        if session.get(Account, data["account_id"]) is None:
            errors["account_id"] = ["Unknown account."]
        values["account_id"] = data["account_id"]
    if data.get("multiplier") not in (None, ""):
        values["multiplier"] = check.decimal(data["multiplier"], "multiplier", errors, **MULTIPLIER)
    if "active" in data and data["active"] is not None:
        values["active"] = bool(data["active"])
    if _given(data, "quantity"):
        if data["quantity"] not in QUANTITIES:
            errors["quantity"] = [f"One of {', '.join(QUANTITIES)}."]
        values["quantity"] = data["quantity"]
    if errors:
        raise ValidationFailed("the meter is not valid", details=errors)
    before = None if row is None else auditing.snapshot(row)
    if row is None:
        row = Meter(multiplier=Decimal(1), active=True, quantity="active")
        session.add(row)
    for key, value in values.items():
        setattr(row, key, value)
    session.flush()
    auditing.saved(session, row, before)
    return row


def get_meter(session: Session, meter_id: int) -> Meter:
    """The meter with this id, or 404."""
    meter = session.get(Meter, meter_id)
    if meter is None:
        raise NotFound(f"no meter with id {meter_id}")
    return meter


def add_equipment(session: Session, account: Account, data: dict[str, Any]) -> Equipment:
    """Record a transformer, motor or other equipment at the account's service point."""
    errors: dict[str, list[str]] = {}
    kind = check.choice(data.get("kind"), "kind", errors, EQUIPMENT_KINDS, required=True)
    name = check.text(data.get("name"), "name", errors, max_length=100, required=True)
    rated = check.decimal(data.get("rated_kva"), "rated_kva", errors, **KVA)
    installed = check.date(data.get("installed_on"), "installed_on", errors)
    model = check.text(data.get("model"), "model", errors, max_length=100)
    check.fail_if(errors, "the equipment is not valid")
    row = Equipment(
        account_id=account.id,
        kind=kind,
        name=name,
        model=model,
        rated_kva=rated,
        installed_on=installed,
    )
    session.add(row)
    session.flush()
    auditing.saved(session, row, None)
    return row


def equipment_of(session: Session, customer_id: int) -> list[tuple[Account, Equipment]]:
    """Every piece of equipment at the customer's service points, by account."""
    return [
        (account, item)
        for account, item in session.execute(
            sa.select(Account, Equipment)
            .join(Equipment, Equipment.account_id == Account.id)
            .where(Account.customer_id == customer_id)
            .order_by(Account.number, Equipment.kind, Equipment.id)
        )
    ]
