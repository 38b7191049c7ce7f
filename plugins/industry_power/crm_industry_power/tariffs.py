"""Tariffs: prices per time-of-use period and which minutes of the day are peak or valley."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.sdk import Conflict, NotFound, ValidationFailed
from crm_industry_power import auditing
from crm_industry_power.models import PERIODS, Tariff, TariffPeriod

CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$|^24:00$")
MINUTES_PER_DAY = 1440


def parse_clock(text: str) -> int:
    """``"08:30"`` → 510 minutes after midnight (``"24:00"`` is the end of the day)."""
    if not isinstance(text, str) or not _HHMM.match(text):
        raise ValueError(f"{text!r} is not a time of day as HH:MM")
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def clock(minutes: int) -> str:
    """510 → ``"08:30"``."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def period_map(tariff: Tariff | None) -> list[str]:
    """The period of every minute of the local day (flat where no period is listed)."""
    periods = ["flat"] * MINUTES_PER_DAY
    for stretch in tariff.periods if tariff is not None else ():
        for minute in range(stretch.start_minute, stretch.end_minute):
            periods[minute] = stretch.period
    return periods


def _price(value: Any, field: str, errors: dict[str, list[str]]) -> Decimal | None:
    try:
        price = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors[field] = ["A price such as 0.6512."]
        return None
    if not price.is_finite() or price < 0 or price >= Decimal("100000000"):
        errors[field] = ["Between 0 and 99999999.9999."]
        return None
    return price.quantize(Decimal("0.0001"))


def clean_periods(items: list[dict[str, Any]]) -> list[tuple[str, int, int]]:
    """Check peak / valley stretches: known period, HH:MM bounds, start before end, no overlap."""
    cleaned: list[tuple[str, int, int]] = []
    problems: list[str] = []
    for n, item in enumerate(items, start=1):
        period = item.get("period")
        if period not in PERIODS:
            problems.append(f"#{n}: the period is one of {', '.join(PERIODS)}.")
            continue
        try:
            start, end = parse_clock(item.get("start")), parse_clock(item.get("end"))
        except ValueError as error:
            problems.append(f"#{n}: {error}.")
            continue
        if start >= end or start >= MINUTES_PER_DAY:
            problems.append(f"#{n}: the start must come before the end.")
            continue
        cleaned.append((period, start, end))
    cleaned.sort(key=lambda p: p[1])
    for before, after in zip(cleaned, cleaned[1:], strict=False):
        if after[1] < before[2]:
            problems.append(
                f"{clock(before[1])}–{clock(before[2])} overlaps {clock(after[1])}–{clock(after[2])}."
            )
    if problems:
        raise ValidationFailed(
            "the time-of-use periods are not valid", details={"periods": problems}
        )
    return cleaned


def _check_code(
    session: Session, data: dict[str, Any], row: Tariff | None, errors: dict[str, list[str]]
) -> None:
    """A new tariff has a free code and every required field; a known one keeps its code."""
    if row is None:
        code = data.get("code")
        if not isinstance(code, str) or not CODE_RE.match(code):
            errors["code"] = ["1–32 lower-case letters, digits, _ or -."]
        elif session.scalar(sa.select(Tariff.id).where(Tariff.code == code)) is not None:
            raise Conflict(f"tariff {code} exists", details={"code": ["Taken."]})
        for field in ("name", "peak_price", "flat_price", "valley_price"):
            if data.get(field) in (None, ""):
                errors[field] = ["Required."]
    elif "code" in data and data["code"] != row.code:
        errors["code"] = ["Codes cannot change."]


def _checked_values(data: dict[str, Any], errors: dict[str, list[str]]) -> dict[str, Any]:
    """The name, prices and currency given, checked (an empty capacity price: none)."""
    values: dict[str, Any] = {}
    if "name" in data and data["name"] is not None:
        name = str(data["name"]).strip()
        if not 1 <= len(name) <= 100:
            errors["name"] = ["1–100 characters."]
        values["name"] = name
    for field in ("peak_price", "flat_price", "valley_price", "capacity_price"):
        if data.get(field) not in (None, ""):
            values[field] = _price(data[field], field, errors)
        elif field == "capacity_price" and field in data:
            values[field] = None
    if "currency" in data:
        if not re.match(r"^[A-Z]{3}$", str(data["currency"] or "")):
            errors["currency"] = ["Three capital letters (CNY)."]
        values["currency"] = data["currency"]
    return values


def _checked_periods(
    data: dict[str, Any], errors: dict[str, list[str]]
) -> list[tuple[str, int, int]] | None:
    """The periods given, cleaned; ``None`` when none were given (or they are wrong)."""
    if data.get("periods") is None:
        return None
    try:
        return clean_periods(list(data["periods"]))
    except ValidationFailed as error:
        errors.update(error.details)
        return None


def save_tariff(session: Session, data: dict[str, Any], row: Tariff | None = None) -> Tariff:
    """Create a tariff or change ``row``; codes are unique and do not change."""
    errors: dict[str, list[str]] = {}
    _check_code(session, data, row, errors)
    values = _checked_values(data, errors)
    periods = _checked_periods(data, errors)
    if errors:
        raise ValidationFailed("the tariff is not valid", details=errors)
    before = None if row is None else auditing.snapshot(row)
    if row is None:
        row = Tariff(code=data["code"], currency="CNY")
        session.add(row)
    for key, value in values.items():
        setattr(row, key, value)
    if periods is not None:
        row.periods = [TariffPeriod(period=p, start_minute=s, end_minute=e) for p, s, e in periods]
    session.flush()
    auditing.saved(session, row, before)
    return row


def get_tariff(session: Session, tariff_id: int) -> Tariff:
    """The tariff with this id, or 404."""
    tariff = session.get(Tariff, tariff_id)
    if tariff is None:
        raise NotFound(f"no tariff with id {tariff_id}")
    return tariff


def tariff_by_code(session: Session, code: str) -> Tariff:
    """The tariff with this code, or a validation error naming it."""
    tariff = session.scalar(sa.select(Tariff).where(Tariff.code == code))
    if tariff is None:
        raise ValidationFailed(f"no tariff {code}", details={"tariff": ["Unknown tariff."]})
    return tariff
