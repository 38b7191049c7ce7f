"""Daily load curves (日负荷曲线) and their metrics, from the packed day rows.

A day's curve is the sum of the account's meters, interval by interval, in kW:
``kW = kWh × 60 / interval minutes``. An interval is missing when any meter with a
row that day lacks it; metrics are taken over the intervals present. Meters with
different intervals on the same day are summed at the coarsest of them.

Metrics of a day, all in kW unless said otherwise:

* maximum, minimum and average demand;
* load factor (日负荷率) = average / maximum;
* minimum-load ratio (最小负荷率) = minimum / maximum;
* peak–valley difference = maximum − minimum, and its rate (峰谷差率) = difference / maximum;
* energy (kWh) and its cost by time-of-use period, each interval taking the period of
  the local minute it starts at;
* capacity utilisation = maximum / contracted kVA (a power factor of 1 assumed).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import groupby
from zoneinfo import ZoneInfo

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_industry_power import storage
from crm_industry_power.models import PERIODS, Account, Meter, ReadingDay, Tariff
from crm_industry_power.tariffs import period_map

MWH_PER_KWH = Decimal(1_000_000)


@dataclass
class DayCurve:
    """One local day of an account: interval starts (UTC) and energy (mWh, ``None`` = gap)."""

    day: date
    interval: int
    starts: list[datetime]
    mwh: list[int | None]

    @property
    def kw(self) -> list[float | None]:
        """Average demand of every interval, in kW."""
        factor = 60 / self.interval / 1_000_000
        return [None if v is None else v * factor for v in self.mwh]


@dataclass
class DayMetrics:
    """The metrics of one day's curve (see the module's docstring)."""

    day: date
    interval: int
    intervals: int
    present: int
    max_kw: float | None = None
    max_at: datetime | None = None
    min_kw: float | None = None
    avg_kw: float | None = None
    load_factor: float | None = None
    min_ratio: float | None = None
    peak_valley_kw: float | None = None
    peak_valley_rate: float | None = None
    utilisation: float | None = None
    energy_kwh: Decimal = Decimal(0)
    energy_by_period: dict[str, Decimal] = field(default_factory=dict)
    cost_by_period: dict[str, Decimal] = field(default_factory=dict)
    cost: Decimal | None = None
    currency: str | None = None


def _resample(values: list[int], interval: int, target: int) -> list[int]:
    """Sum ``values`` into intervals of ``target`` minutes; a group with a gap is a gap."""
    size = target // interval
    out = []
    for start in range(0, len(values), size):
        group = values[start : start + size]
        out.append(storage.MISSING if storage.MISSING in group else sum(group))
    return out


def account_curves(
    session: Session, account: Account, first: date, last: date, tz: ZoneInfo
) -> list[DayCurve]:
    """The account's curve for every day from ``first`` to ``last`` that has readings."""
    rows = session.execute(
        sa.select(ReadingDay.day, ReadingDay.interval_minutes, ReadingDay.values)
        .join(Meter, Meter.id == ReadingDay.meter_id)
        .where(
            Meter.account_id == account.id,
            Meter.quantity == "active",  # reactive meters make no load curve
            ReadingDay.day.between(first, last),
        )
        .order_by(ReadingDay.day, ReadingDay.meter_id)
    )
    by_day: dict[date, list[tuple[int, list[int]]]] = defaultdict(list)
    for day, interval, values in rows:
        by_day[day].append((interval, storage.unpack(values)))
    curves = []
    for day, meters in sorted(by_day.items()):
        interval, total = _combined(day, meters, tz)
        curves.append(DayCurve(day, interval, storage.slot_starts(day, tz, interval), total))
    return curves


def _combined(
    day: date, meters: list[tuple[int, list[int]]], tz: ZoneInfo
) -> tuple[int, list[int | None]]:
    """The sum of the meters' (interval, values) of one day, at the coarsest interval."""
    interval = max(i for i, _ in meters)
    total: list[int | None] = [0] * storage.slots_in_day(day, tz, interval)
    for meter_interval, values in meters:
        if meter_interval != interval:
            values = _resample(values, meter_interval, interval)
        for slot, value in enumerate(values[: len(total)]):
            if value == storage.MISSING or total[slot] is None:
                total[slot] = None
            else:
                total[slot] += value
    return interval, total


@dataclass
class DailyTable:
    """Daily metrics of many accounts at once, as arrays of one length: for the reports
    and benchmarks over thousands of meters a year, where a Python object a day costs
    more than the arithmetic. ``nan`` where :class:`DayMetrics` has ``None``."""

    account_id: np.ndarray
    day: np.ndarray
    interval: np.ndarray
    intervals: np.ndarray
    present: np.ndarray
    energy_mwh: np.ndarray
    max_kw: np.ndarray
    min_kw: np.ndarray
    avg_kw: np.ndarray
    load_factor: np.ndarray

    def __len__(self) -> int:
        return len(self.day)


def daily_table(
    session: Session, first: date, last: date, tz: ZoneInfo, account_ids: list[int] | None = None
) -> DailyTable:
    """Every account's daily metrics from ``first`` to ``last`` (days with readings):
    the curves of :func:`account_curves`, summed and measured with array operations."""
    query = (
        sa.select(Meter.account_id, ReadingDay.day, ReadingDay.interval_minutes, ReadingDay.values)
        .join(Meter, Meter.id == ReadingDay.meter_id)
        .where(ReadingDay.day.between(first, last), Meter.quantity == "active")
        .order_by(Meter.account_id, ReadingDay.day, ReadingDay.meter_id)
    )
    if account_ids is not None:
        query = query.where(Meter.account_id.in_(account_ids))
    keys: list[tuple[int, date]] = []
    intervals: list[int] = []
    curves: list[bytes] = []
    for key, rows in groupby(session.execute(query), key=lambda row: (row[0], row[1])):
        meters = [(row[2], row[3]) for row in rows]
        if len(meters) == 1:
            interval, values = meters[0]
        else:
            interval, total = _combined(key[1], [(i, storage.unpack(v)) for i, v in meters], tz)
            values = storage.pack([storage.MISSING if v is None else v for v in total])
        keys.append(key)
        intervals.append(interval)
        curves.append(values)
    return _measure(keys, intervals, curves)


def _measure(keys: list[tuple[int, date]], intervals: list[int], curves: list[bytes]) -> DailyTable:
    """The metrics of packed day curves; days of one length are measured together."""
    n = len(keys)
    table = DailyTable(
        np.array([k[0] for k in keys], dtype=np.int64),
        np.array([k[1] for k in keys], dtype="datetime64[D]"),
        np.array(intervals, dtype=np.int64),
        np.zeros(n, dtype=np.int64),
        np.zeros(n, dtype=np.int64),
        np.zeros(n, dtype=np.int64),
        *(np.full(n, np.nan) for _ in range(4)),
    )
    by_shape: dict[tuple[int, int], list[int]] = defaultdict(list)
    for index, (interval, values) in enumerate(zip(intervals, curves, strict=True)):
        by_shape[(interval, len(values))].append(index)
    for (interval, size), rows in by_shape.items():
        index = np.array(rows, dtype=np.int64)
        mwh = np.frombuffer(b"".join(curves[i] for i in rows), dtype="<i8").reshape(
            len(rows), size // 8
        )
        present = mwh != storage.MISSING
        count = present.sum(axis=1)
        # As DayCurve.kw: mWh × (60 / interval / 10⁶).
        kw = mwh * (60 / interval / 1_000_000)
        table.intervals[index] = mwh.shape[1]
        table.present[index] = count
        table.energy_mwh[index] = np.where(present, mwh, 0).sum(axis=1)
        some = count > 0
        peak = np.where(present, kw, -np.inf).max(axis=1)
        low = np.where(present, kw, np.inf).min(axis=1)
        average = np.where(present, kw, 0).sum(axis=1) / np.maximum(count, 1)
        table.max_kw[index] = np.where(some, peak, np.nan)
        table.min_kw[index] = np.where(some, low, np.nan)
        table.avg_kw[index] = np.where(some, average, np.nan)
        with np.errstate(divide="ignore", invalid="ignore"):
            table.load_factor[index] = np.where(some & (peak > 0), average / peak, np.nan)
    return table


def day_curve(session: Session, account: Account, day: date, tz: ZoneInfo) -> DayCurve | None:
    """The account's curve on ``day``, or ``None`` without readings."""
    curves = account_curves(session, account, day, day, tz)
    return curves[0] if curves else None


def periods_of(curve: DayCurve, tariff: Tariff | None, tz: ZoneInfo) -> list[str]:
    """The time-of-use period of every interval of the curve."""
    minutes = period_map(tariff)
    periods = []
    for start in curve.starts:
        local = start.astimezone(tz)
        periods.append(minutes[local.hour * 60 + local.minute])
    return periods


def metrics(
    curve: DayCurve, tariff: Tariff | None, contracted_kva: Decimal | None, tz: ZoneInfo
) -> DayMetrics:
    """The metrics of one day's curve, priced on ``tariff`` when there is one."""
    result = DayMetrics(curve.day, curve.interval, len(curve.mwh), 0)
    kw = curve.kw
    present = [(i, v) for i, v in enumerate(kw) if v is not None]
    result.present = len(present)
    energy = {p: Decimal(0) for p in PERIODS}
    for period, value in zip(periods_of(curve, tariff, tz), curve.mwh, strict=True):
        if value is not None:
            energy[period] += Decimal(value) / MWH_PER_KWH
    result.energy_by_period = energy
    result.energy_kwh = sum(energy.values(), Decimal(0))
    if tariff is not None:
        result.currency = tariff.currency
        result.cost_by_period = {
            p: (energy[p] * tariff.price(p)).quantize(Decimal("0.01")) for p in PERIODS
        }
        result.cost = sum(result.cost_by_period.values(), Decimal(0))
    if not present:
        return result
    peak_slot, peak = max(present, key=lambda item: item[1])
    low = min(v for _, v in present)
    average = sum(v for _, v in present) / len(present)
    result.max_kw, result.max_at = peak, curve.starts[peak_slot]
    result.min_kw, result.avg_kw = low, average
    result.peak_valley_kw = peak - low
    if peak > 0:
        result.load_factor = average / peak
        result.min_ratio = low / peak
        result.peak_valley_rate = (peak - low) / peak
    if contracted_kva:
        result.utilisation = peak / float(contracted_kva)
    return result


@dataclass
class PeriodSummary:
    """Metrics over several days: what advice and bills are computed from."""

    first: date
    last: date
    days: int
    max_kw: float | None
    avg_load_factor: float | None
    energy_by_period: dict[str, Decimal]
    energy_kwh: Decimal
    cost: Decimal | None
    currency: str | None
    daily: list[DayMetrics]


def summarise(
    session: Session, account: Account, first: date, last: date, tz: ZoneInfo
) -> PeriodSummary:
    """Metrics of every day of the account from ``first`` to ``last``, and their totals."""
    daily = [
        metrics(curve, account.tariff, account.contracted_kva, tz)
        for curve in account_curves(session, account, first, last, tz)
    ]
    peaks = [m.max_kw for m in daily if m.max_kw is not None]
    factors = [m.load_factor for m in daily if m.load_factor is not None]
    energy = {p: sum((m.energy_by_period[p] for m in daily), Decimal(0)) for p in PERIODS}
    costs = [m.cost for m in daily if m.cost is not None]
    return PeriodSummary(
        first=first,
        last=last,
        days=len(daily),
        max_kw=max(peaks) if peaks else None,
        avg_load_factor=sum(factors) / len(factors) if factors else None,
        energy_by_period=energy,
        energy_kwh=sum(energy.values(), Decimal(0)),
        cost=sum(costs, Decimal(0)) if account.tariff is not None else None,
        currency=account.tariff.currency if account.tariff is not None else None,
        daily=daily,
    )


def _typical_days(curves: list[DayCurve]) -> list[DayCurve]:
    """The days of the most common shape (interval and length): on a daylight-saving
    day the intervals do not line up with the other days', so it is left out."""
    shapes: dict[tuple[int, int], list[DayCurve]] = defaultdict(list)
    for curve in curves:
        shapes[(curve.interval, len(curve.mwh))].append(curve)
    return max(shapes.values(), key=len) if shapes else []


def typical_interval(curves: list[DayCurve]) -> int | None:
    """The interval of :func:`typical_day`'s values, in minutes."""
    chosen = _typical_days(curves)
    return chosen[0].interval if chosen else None


def typical_day(curves: list[DayCurve]) -> list[float | None]:
    """The average kW of every interval over the days of the most common shape."""
    chosen = _typical_days(curves)
    if not chosen:
        return []
    curves_kw = [c.kw for c in chosen]
    result: list[float | None] = []
    for slot in range(len(chosen[0].mwh)):
        values = [kw[slot] for kw in curves_kw if kw[slot] is not None]
        result.append(sum(values) / len(values) if values else None)
    return result


def last_days(today: date, days: int) -> tuple[date, date]:
    """The ``days`` days up to and including ``today``."""
    return today - timedelta(days=days - 1), today


@dataclass
class DayTotal:
    """One day of a monthly profile: its energy by period and its maximum demand."""

    day: date
    energy_kwh: Decimal
    energy_by_period: dict[str, Decimal]
    max_kw: float | None


def monthly_profile(
    session: Session, account: Account, first: date, last: date, tz: ZoneInfo
) -> list[DayTotal]:
    """Energy by time-of-use period and maximum demand of every day with readings."""
    return [
        DayTotal(m.day, m.energy_kwh, m.energy_by_period, m.max_kw)
        for m in summarise(session, account, first, last, tz).daily
    ]
