"""One row of a readings file judged on its own: its meter, timestamp and value, or the
reason it is refused (the rows the array path cannot clear come here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.sdk.customers import Record
from crm_industry_power import storage
from crm_industry_power.models import Account, Meter
from crm_industry_power.readings.units import Unit

#: A reading implying more demand than this many times the contracted capacity is an
#: overload: reported (transformers carry brief overloads, seldom 3×), or refused
#: where the account says so.
MAX_OVERLOAD = 3
#: The value column as the rules read it (a header with a unit is renamed to it).
VALUE = "value"


@dataclass(frozen=True)
class MeterInfo:
    """A meter as the rules need it: its id, multiplier, the demand over which a reading
    is an overload, what it measures and whether its account refuses overloads."""

    id: int
    multiplier: Decimal
    max_kw: Decimal
    quantity: str = "active"
    refuse_overload: bool = False


@dataclass
class Good:
    """A reading that passed every rule but repeats."""

    line: int
    meter: str
    meter_id: int
    moment: datetime
    mwh: int
    #: Why the reading is an overload, when it is one (stored all the same).
    overload: str | None = None
    #: The company day and slot it is filed under (set once the zone is applied).
    place: tuple[date, int] = (date.min, 0)


def meter_info(
    session: Session, number: str, cache: dict[str, MeterInfo | None]
) -> MeterInfo | None:
    """The meter numbered ``number`` (``None``: unknown), looked up once per import."""
    if number not in cache:
        row = session.execute(
            sa.select(
                Meter.id,
                Meter.multiplier,
                Meter.quantity,
                Account.contracted_kva,
                Account.refuse_overload,
            )
            .join(Account, Account.id == Meter.account_id)
            .where(Meter.number == number)
        ).first()
        cache[number] = (
            MeterInfo(
                row.id,
                Decimal(row.multiplier),
                Decimal(row.contracted_kva) * MAX_OVERLOAD,
                row.quantity,
                bool(row.refuse_overload),
            )
            if row
            else None
        )
    return cache[number]


def parse_timestamp(
    text: str,
    tz: ZoneInfo,
    fold_of: dict[tuple[int, datetime], int] | None = None,
    meter_id: int = 0,
) -> datetime:
    """The UTC instant of a file's timestamp; ``ValueError`` saying why it is not one."""
    text = text.strip().replace("/", "-")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"timestamp {text!r} is not a date and time (2026-11-01 00:15)") from None
    if not storage.FIRST_YEAR <= moment.year <= storage.LAST_YEAR:
        # Converting year 1 or 9999 between zones overflows; no meter reads then anyway.
        raise ValueError(f"timestamp {text!r} is out of range")
    if moment.tzinfo is not None:
        return moment.astimezone(UTC)
    local = moment.replace(tzinfo=tz)
    if local.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != moment:
        raise ValueError(f"{text} does not exist in {tz.key} (the clocks jump over it)")
    if local.replace(fold=1).utcoffset() != local.utcoffset() and fold_of is not None:
        # Clocks going back: the same wall-clock time twice, taken in file order.
        key = (meter_id, moment)
        fold = fold_of[key]
        fold_of[key] += 1
        if fold > 1:
            raise ValueError(f"{text} occurs only twice in {tz.key}, and this is a third time")
        local = local.replace(fold=fold)
    return local.astimezone(UTC)


def check_row(
    session: Session,
    record: Record,
    number: str,
    meters: dict[str, MeterInfo | None],
    interval: int,
    unit: Unit,
    tz: ZoneInfo,
    folds: dict[tuple[int, datetime], int],
    now: datetime,
) -> Good | str:
    """A row's reading, or why it is refused: every rule but repeats, which are found
    over a whole batch at once."""
    if not number:
        return "meter: Required."
    meter = meter_info(session, number, meters)
    if meter is None:
        return f"unknown meter {number}"
    if meter.quantity != unit.quantity:
        return f"the meter measures {meter.quantity} power, not {unit.name}"
    try:
        moment = parse_timestamp(str(record.values.get("timestamp") or ""), tz, folds, meter.id)
    except ValueError as error:
        return str(error)
    local = moment.astimezone(tz)
    if local.second or local.microsecond or (local.hour * 60 + local.minute) % interval:
        return f"{local:%Y-%m-%d %H:%M:%S} is not on a {interval}-minute boundary"
    if moment > now:
        return f"{local:%Y-%m-%d %H:%M} is in the future"
    raw = str(record.values.get(VALUE) or "").strip()
    try:
        value = Decimal(raw)
    except (InvalidOperation, ValueError):
        return f"value {raw!r} is not a number" if raw else "value: Required."
    if not value.is_finite():
        return f"value {raw} is not a number"
    if value < 0:
        return f"negative value {raw}"
    kwh = unit.energy_of(value, interval) * meter.multiplier
    demand = kwh * 60 / interval
    overload = None
    if demand > meter.max_kw:
        base = unit.canonical.rstrip("h")
        limit = f"{MAX_OVERLOAD}× the contracted capacity ({meter.max_kw / MAX_OVERLOAD:.0f} kVA)"
        if meter.refuse_overload:
            return f"impossible value {raw} {unit.name}: {demand:.1f} {base} is over {limit}"
        overload = f"overload: value {raw} {unit.name} is {demand:.1f} {base}, over {limit}"
    mwh = int((kwh * 1000 * 1000).to_integral_value(ROUND_HALF_EVEN))
    return Good(record.line, number, meter.id, moment, mwh, overload)
