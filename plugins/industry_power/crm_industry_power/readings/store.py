"""Merging checked readings into their packed day rows, a batch at a time.

The readings arrive as arrays sorted by meter and time, so a meter's day is a run of
rows: its values are scattered into a matrix of days × intervals, merged with the
day's stored values when there are any, and written with one ``executemany`` (or one
``COPY`` on PostgreSQL for new days) rather than a statement per day.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.sdk import utcnow
from crm_industry_power import storage
from crm_industry_power.models import ReadingDay

EPOCH = date(1970, 1, 1)
#: Meters whose stored days are fetched per statement.
METERS_PER_QUERY = 500


@dataclass
class Readings:
    """Checked readings as arrays of one length: the physical line, the meter, the UTC
    start (seconds since 1970), the energy (mWh), the local day (days since 1970) and
    the interval's index in that day."""

    line: np.ndarray
    meter_id: np.ndarray
    moment: np.ndarray
    mwh: np.ndarray
    day: np.ndarray
    slot: np.ndarray

    def __len__(self) -> int:
        return len(self.line)

    def take(self, index: np.ndarray) -> Readings:
        """The readings at ``index`` (an index or mask array), in its order."""
        return Readings(
            self.line[index],
            self.meter_id[index],
            self.moment[index],
            self.mwh[index],
            self.day[index],
            self.slot[index],
        )

    @staticmethod
    def join(parts: list[Readings]) -> Readings:
        """The readings of all ``parts``, one after the other."""
        return Readings(
            *(
                np.concatenate([getattr(p, name) for p in parts])
                for name in ("line", "meter_id", "moment", "mwh", "day", "slot")
            )
        )


def day_of(number: int) -> date:
    """The date ``number`` days after 1970-01-01."""
    return EPOCH + timedelta(days=int(number))


@dataclass
class Outcome:
    """What a store did: readings new, changed, unchanged, and the positions (in the
    readings given) of those refused because their day is stored at another interval."""

    new: int
    changed: int
    unchanged: int
    refused: list[tuple[int, str]]


def store(
    session: Session,
    readings: Readings,
    interval: int,
    tz: ZoneInfo,
    uniform: Callable[[int], bool],
) -> Outcome:
    """Merge ``readings`` (sorted by meter and time, one per meter and interval) into
    their day rows: insert new days, update changed ones. ``uniform(day)`` says whether
    the local day has 24 hours that all follow one UTC offset."""
    if not len(readings):
        return Outcome(0, 0, 0, [])
    starts_group = np.ones(len(readings), dtype=bool)
    starts_group[1:] = (readings.meter_id[1:] != readings.meter_id[:-1]) | (
        readings.day[1:] != readings.day[:-1]
    )
    group = np.cumsum(starts_group) - 1
    heads = np.flatnonzero(starts_group)
    meters, days = readings.meter_id[heads], readings.day[heads]
    dates = {int(d): day_of(d) for d in np.unique(days)}
    per_day = 24 * 60 // interval
    lengths = {
        d: per_day if uniform(d) else storage.slots_in_day(when, tz, interval)
        for d, when in dates.items()
    }
    slots = np.array([lengths[int(d)] for d in days], dtype=np.int64)
    existing = _existing(session, meters, days, dates)
    width = int(max(slots.max(), readings.slot.max() + 1))
    old_lengths = [len(values) // 8 for _interval, values in existing.values()]
    width = max(width, *old_lengths) if old_lengths else width
    matrix = np.full((len(heads), width), storage.MISSING, dtype=np.int64)
    stored = np.zeros(len(heads), dtype=bool)
    other_interval: dict[int, int] = {}
    for g, (row_interval, values) in existing.items():
        if row_interval != interval:
            other_interval[g] = row_interval
            continue
        old = np.frombuffer(values, dtype="<i8")
        matrix[g, : old.size] = old
        slots[g] = old.size
        stored[g] = True
    refused: list[tuple[int, str]] = []
    keep = np.ones(len(readings), dtype=bool)
    for g, row_interval in other_interval.items():
        rows = np.flatnonzero(group == g)
        keep[rows] = False
        text = (
            f"{dates[int(days[g])]} is stored as {row_interval}-minute readings, "
            f"not {interval}-minute"
        )
        refused.extend((int(r), text) for r in rows)
    grp, slot, mwh = group[keep], readings.slot[keep], readings.mwh[keep]
    before = matrix[grp, slot]
    new = before == storage.MISSING
    changed = ~new & (before != mwh)
    matrix[grp, slot] = mwh
    dirty = np.zeros(len(heads), dtype=bool)
    dirty[grp[new | changed]] = True
    now = utcnow()
    inserts = [
        (int(meters[g]), dates[int(days[g])], interval, _packed(matrix[g, : slots[g]]), now)
        for g in np.flatnonzero(~stored & dirty & ~_marked(other_interval, len(heads)))
    ]
    updates = [
        {"m": int(meters[g]), "d": dates[int(days[g])], "v": _packed(matrix[g, : slots[g]]),
         "u": now}
        for g in np.flatnonzero(stored & dirty)
    ]  # fmt: skip
    _insert(session, inserts)
    if updates:
        table = ReadingDay.__table__
        session.execute(
            sa.update(table)
            .where(table.c.meter_id == sa.bindparam("m"), table.c.day == sa.bindparam("d"))
            .values(values=sa.bindparam("v"), updated_at=sa.bindparam("u")),
            updates,
        )
    n_new, n_changed = int(new.sum()), int(changed.sum())
    return Outcome(n_new, n_changed, int(keep.sum()) - n_new - n_changed, refused)


def _marked(groups: dict[int, int], size: int) -> np.ndarray:
    mask = np.zeros(size, dtype=bool)
    mask[list(groups)] = True
    return mask


def _packed(values: np.ndarray) -> bytes:
    # The stored form of storage.pack: little-endian signed 64-bit integers.
    return values.astype("<i8").tobytes()


def _existing(
    session: Session, meters: np.ndarray, days: np.ndarray, dates: dict[int, date]
) -> dict[int, tuple[int, bytes]]:
    """The stored interval and values of the day rows that exist, by group index."""
    # The groups come in meter and day order, so a row's group is found by bisection.
    keys = (meters << 32) | days
    by_date = {when: d for d, when in dates.items()}
    first, last = min(dates.values()), max(dates.values())
    found: dict[int, tuple[int, bytes]] = {}
    distinct = np.unique(meters).tolist()
    for start in range(0, len(distinct), METERS_PER_QUERY):
        chunk = distinct[start : start + METERS_PER_QUERY]
        rows = session.execute(
            sa.select(
                ReadingDay.meter_id, ReadingDay.day, ReadingDay.interval_minutes, ReadingDay.values
            ).where(ReadingDay.meter_id.in_(chunk), ReadingDay.day.between(first, last))
        )
        for meter_id, day, interval, values in rows:
            if day not in by_date:
                continue
            key = (meter_id << 32) | by_date[day]
            g = int(np.searchsorted(keys, key))
            if g < keys.size and keys[g] == key:
                found[g] = (interval, values)
    return found


_COLUMNS = ("meter_id", "day", "interval_minutes", "values", "updated_at")


def _insert(session: Session, rows: list[tuple[int, date, int, bytes, datetime]]) -> None:
    """Insert new day rows: ``COPY`` on PostgreSQL, one ``executemany`` on SQLite, each
    value as the column's type stores it (the dates and the time converted once each)."""
    if not rows:
        return
    connection = session.connection()
    table = ReadingDay.__table__
    if connection.dialect.name == "postgresql":
        driver: Any = connection.connection.driver_connection
        with driver.cursor() as cursor:
            statement = f"COPY {table.name} ({', '.join(_COLUMNS)}) FROM STDIN"
            with cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
        return
    if connection.dialect.name != "sqlite":
        session.execute(sa.insert(table), [dict(zip(_COLUMNS, r, strict=True)) for r in rows])
        return
    dialect = connection.dialect
    to_day, to_time = (
        table.c[name].type.dialect_impl(dialect).bind_processor(dialect) or (lambda value: value)
        for name in ("day", "updated_at")
    )
    days = {when: to_day(when) for when in {row[1] for row in rows}}
    times = {when: to_time(when) for when in {row[4] for row in rows}}
    names = ", ".join(dialect.identifier_preparer.quote(name) for name in _COLUMNS)
    marks = ", ".join("?" for _ in _COLUMNS)
    connection.exec_driver_sql(
        f"INSERT INTO {table.name} ({names}) VALUES ({marks})",
        [(m, days[d], i, v, times[u]) for m, d, i, v, u in rows],
    )
