"""Where a reading is filed: the company's day and interval of its UTC start.

A file's wall-clock times are read in the zone the import names; readers read days
in the company's zone. The conversion happens here, once: file zone → UTC (the
instant) → company day and slot. Days of one UTC offset all day long are converted
with array arithmetic; a day with a clock change, in either zone, is left to
:meth:`Places.placed`, which converts one reading with the zone rules.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from crm_industry_power import storage
from crm_industry_power.readings.rows import Good

#: The offset given for a day whose UTC offset changes (or that is not in the file).
NOT_UNIFORM = np.iinfo(np.int64).min + 1
EPOCH = date(1970, 1, 1)


class Places:
    """Day offsets of the file's zone and the company's, cached, and the filing of
    readings under company days and slots of ``interval`` minutes."""

    def __init__(self, file_zone: ZoneInfo, company: ZoneInfo, interval: int) -> None:
        self.file_zone, self.company, self.interval = file_zone, company, interval
        self._cache: dict[tuple[str, int], int] = {}

    def offset_of(self, day: int, tz: ZoneInfo) -> int:
        """The UTC offset of the local ``day`` in ``tz`` (see :func:`day_offset`)."""
        key = (tz.key, day)
        if key not in self._cache:
            self._cache[key] = day_offset(day, tz)
        return self._cache[key]

    def offsets(self, days: np.ndarray, tz: ZoneInfo) -> tuple[int, np.ndarray]:
        """The first of ``days`` and the UTC offset (seconds) of every local day from it
        to the last, :data:`NOT_UNIFORM` for a day whose offset changes (or absent)."""
        if not days.size:
            return 0, np.full(1, NOT_UNIFORM, dtype=np.int64)
        low, high = int(days.min()), int(days.max())
        table = np.full(high - low + 1, NOT_UNIFORM, dtype=np.int64)
        present = np.zeros(high - low + 1, dtype=bool)
        present[days - low] = True
        for index in np.flatnonzero(present).tolist():
            table[index] = self.offset_of(low + index, tz)
        return low, table

    def offset_table(self, days: np.ndarray, ok: np.ndarray, tz: ZoneInfo) -> np.ndarray:
        """The UTC offset in ``tz`` of every day of ``days`` (those where ``ok`` count)."""
        low, offsets = self.offsets(days[ok], tz)
        inside = (days >= low) & (days < low + len(offsets))
        found = offsets[np.clip(days - low, 0, len(offsets) - 1)]
        return np.where(inside, found, NOT_UNIFORM)

    def company_places(
        self, moment: np.ndarray, day: np.ndarray, second: np.ndarray, ok: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The company day and second of day of every UTC ``moment`` (``day``, ``second``:
        its place in the file's zone), and which are plain: on a company day of one UTC
        offset and on the company's interval grid. The others go one by one."""
        if self.company.key == self.file_zone.key:
            return day, second, ok
        offset = self.offset_table(day, ok, self.company)
        known = ok & (offset != NOT_UNIFORM)
        local = np.where(known, moment + offset, 0)
        filed_day = local // 86_400
        # Plain only when the company day found has the offset used to find it.
        again = self.offset_table(filed_day, known, self.company)
        plain = known & (again == offset)
        plain &= (local % 86_400) % (self.interval * 60) == 0
        return filed_day, local - filed_day * 86_400, plain

    def is_uniform(self, day: int) -> bool:
        """Whether the company ``day`` follows one UTC offset all day long."""
        return self.offset_of(day, self.company) != NOT_UNIFORM

    def placed(self, good: Good) -> Good | str:
        """``good`` filed under its company day and slot, or why it cannot be: a start
        off the company's interval grid (a zone offset of half an hour, say)."""
        day = good.moment.astimezone(self.company).date()
        start, _end = storage.day_bounds(day, self.company)
        offset = int((good.moment - start).total_seconds())
        if offset % (self.interval * 60):
            local = good.moment.astimezone(self.company)
            return (
                f"{local:%Y-%m-%d %H:%M} ({self.company.key}) is not on a "
                f"{self.interval}-minute boundary of the company's day"
            )
        good.place = (day, offset // (self.interval * 60))
        return good


def day_offset(day: int, tz: ZoneInfo) -> int:
    """The UTC offset (seconds) of the local ``day`` when it is the same all day long —
    no clock change, so no time in it is missing or repeated — else ``NOT_UNIFORM``."""
    midnight = datetime.combine(EPOCH + timedelta(days=day), datetime.min.time())
    offsets = set()
    # Every hour, both folds: a change of clocks makes a time that occurs twice or
    # never, which gives two offsets, and the offset after it differs from the one before.
    for hours in range(25):
        local = midnight + timedelta(hours=hours)
        for fold in (0, 1):
            offset = local.replace(tzinfo=tz, fold=fold).utcoffset()
            offsets.add(offset.total_seconds() if offset is not None else None)
    if len(offsets) != 1 or None in offsets:
        return int(NOT_UNIFORM)
    return int(offsets.pop())
