"""How interval readings are stored: one row per meter and local day, values packed.

Why packed days rather than a row per reading: a year of 15-minute data for 1,000
meters is 35 million readings. As narrow rows (meter, timestamp, value) that is 35
million index entries and ~50 bytes of row overhead each on PostgreSQL — several GB —
while a day row holds 96 values in 768 bytes and the table has 365,000 rows; a load
curve or a month's bill reads 1 or 31 rows per meter through the primary key. The
format is plain bytes (``LargeBinary``: ``bytea`` / ``BLOB``), so it behaves the same
on SQLite and PostgreSQL.

Values are little-endian signed 64-bit integers of **milliwatt-hours** of interval
energy (primary side: the file's value × the meter's multiplier). mWh keeps kWh with
three decimals exact, and so kW demand with three decimals over 15, 30 or 60 minutes
(0.001 kW × ¼ h = 0.25 Wh). :data:`MISSING` (-1) marks an interval without a reading
(readings are never negative). A "day" is the company timezone's calendar day, so
the array is as long as the day: 92, 96 or 100 quarter hours on a daylight-saving day.
"""

from __future__ import annotations

from array import array
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

MISSING = -1
#: Days outside these years are refused before any timezone arithmetic (which overflows
#: at the ends of ``datetime``'s range).
FIRST_YEAR, LAST_YEAR = 1970, 2999
INTERVALS = (15, 30, 60)
_TYPECODE = "q"


def day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC start and end of the local ``day`` (23, 24 or 25 hours long)."""
    start = datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(UTC)
    following = day + timedelta(days=1)
    end = datetime(following.year, following.month, following.day, tzinfo=tz).astimezone(UTC)
    return start, end


def slots_in_day(day: date, tz: ZoneInfo, interval: int) -> int:
    """How many intervals of ``interval`` minutes the local ``day`` has."""
    start, end = day_bounds(day, tz)
    return int((end - start).total_seconds() // 60) // interval


def slot_of(moment: datetime, tz: ZoneInfo, interval: int) -> tuple[date, int]:
    """The local day an interval starting at ``moment`` belongs to, and its index."""
    day = moment.astimezone(tz).date()
    start, _end = day_bounds(day, tz)
    return day, int((moment - start).total_seconds() // 60) // interval


def slot_starts(day: date, tz: ZoneInfo, interval: int) -> list[datetime]:
    """The UTC start of every interval of the local ``day``."""
    start, _end = day_bounds(day, tz)
    step = timedelta(minutes=interval)
    return [start + i * step for i in range(slots_in_day(day, tz, interval))]


def pack(values: list[int]) -> bytes:
    """The stored form of a day's values (mWh, :data:`MISSING` for gaps)."""
    packed = array(_TYPECODE, values)
    if packed.itemsize != 8:  # pragma: no cover - every platform CPython supports
        raise RuntimeError("the platform has no 64-bit array type")
    return packed.tobytes() if _little_endian() else _swapped(packed)


def unpack(data: bytes) -> list[int]:
    """A day's values from their stored form."""
    values = array(_TYPECODE)
    values.frombytes(data)
    if not _little_endian():  # pragma: no cover - big-endian machines
        values.byteswap()
    return values.tolist()


def empty_day(day: date, tz: ZoneInfo, interval: int) -> list[int]:
    """A day with no readings yet."""
    return [MISSING] * slots_in_day(day, tz, interval)


def _little_endian() -> bool:
    import sys

    return sys.byteorder == "little"


def _swapped(values: array) -> bytes:  # pragma: no cover - big-endian machines
    copy = array(_TYPECODE, values)
    copy.byteswap()
    return copy.tobytes()


def utc(moment: datetime) -> datetime:
    """``moment`` in UTC (it must carry a zone)."""
    return moment.astimezone(UTC)
