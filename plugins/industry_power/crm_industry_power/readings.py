"""Importing interval readings: many meters in one file, every problem reported by line.

A file has the columns ``meter``, ``timestamp`` and ``value``; the caller declares the
interval (15, 30 or 60 minutes) and the unit — ``kWh`` (energy over the interval) or
``kW`` (average demand over it) — because the numbers alone cannot tell them apart.
The timestamp is the **start** of the interval, either with an offset
(``2026-11-01T00:15:00+08:00``) or as a wall-clock time in the company timezone.
On a day the clocks go back, a wall-clock time that occurs twice is taken as the
first occurrence, then the second, in file order; one that does not exist (the
clocks jumped over it) is refused.

Rows that break a rule are reported with their physical line and skipped; the others
are stored. Gaps (missing intervals between two readings of a meter) are reported at
the line of the reading after the gap. Storing is an upsert on meter and interval, so
importing the same file again changes nothing.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.sdk import ValidationFailed, audit, utcnow
from crm_host.sdk.customers import (
    BatchResult,
    ImportFileError,
    Record,
    Reject,
    detect_format,
    read_records,
)
from crm_industry_power import auditing, readings_columns, storage
from crm_industry_power.models import Account, Meter, ReadingDay
from crm_industry_power.readings_store import Readings, store
from crm_industry_power.zones import timezone_named

COLUMNS = ("meter", "timestamp", "value")
UNITS = ("kWh", "kW")
#: A reading implying more demand than this many times the contracted capacity is not
#: physically possible on that connection (transformers carry brief overloads, not 3×).
MAX_OVERLOAD = 3
#: Day rows fetched and written per statement.
CHUNK = 500


@dataclass(frozen=True)
class Problem:
    """A row refused, or a gap noticed, at a physical line of the file."""

    line: int
    reason: str
    meter: str = ""

    @property
    def text(self) -> str:
        """The reason, after the meter it concerns when there is one."""
        return f"meter {self.meter}: {self.reason}" if self.meter else self.reason

    def __str__(self) -> str:
        return f"line {self.line}: {self.text}"


@dataclass
class ImportReport:
    """What an import did: readings new, changed or unchanged; refused rows; gaps."""

    rows: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    rejects: list[Problem] = field(default_factory=list)
    gaps: list[Problem] = field(default_factory=list)

    @property
    def stored(self) -> int:
        """Readings written (new or changed)."""
        return self.new + self.changed


@dataclass(frozen=True)
class _MeterInfo:
    id: int
    multiplier: Decimal
    max_kw: Decimal


@dataclass
class _Good:
    line: int
    meter: str
    meter_id: int
    moment: datetime
    mwh: int


def check_options(interval: int, unit: str) -> None:
    """Refuse an interval or unit the importer does not know (nothing is guessed)."""
    errors = {}
    if interval not in storage.INTERVALS:
        errors["interval"] = [f"One of {', '.join(map(str, storage.INTERVALS))} minutes."]
    if unit not in UNITS:
        errors["unit"] = ["kWh (interval energy) or kW (demand)."]
    if errors:
        raise ValidationFailed("say how the readings are measured", details=errors)


def check_header(columns: Iterable[str]) -> None:
    """Refuse a file without exactly the columns meter, timestamp and value."""
    columns = list(columns)
    missing = [c for c in COLUMNS if c not in columns]
    unknown = [c for c in columns if c not in COLUMNS]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(f"lacks {', '.join(missing)}")
        if unknown:
            parts.append(f"has unknown {', '.join(unknown)}")
        raise ImportFileError(
            f"the header {' and '.join(parts)}; the columns are meter,timestamp,value"
        )


def import_file(
    session: Session, path: Path, *, interval: int, unit: str, tz: ZoneInfo, fmt: str | None = None
) -> ImportReport:
    """Import a readings file in one transaction; the caller commits. Raises
    ``ImportFileError`` for a file that cannot be read at all and ``ValidationFailed``
    for bad options. Big files go through the host's import job instead
    (``crm import industry_power.readings FILE -o interval=15 -o unit=kWh``): batches
    that each commit, resumable after a crash, on any queue backend."""
    check_options(interval, unit)
    # A plain CSV file is read straight into arrays, without a record a row.
    data = readings_columns.plain_csv(path) if (fmt or detect_format(path)) == "csv" else None
    header, records = read_records(path, fmt, "utf-8-sig" if data is not None else None)
    check_header(header)
    if data is None:
        return import_records(session, records, interval=interval, unit=unit, tz=tz)
    records.close()
    columns = readings_columns.read_csv(data, header)
    importer = ReadingsImporter(session, interval=interval, unit=unit, tz=tz)
    importer.single_batch = True
    return importer.import_report(session, columns)


def import_records(
    session: Session, records: Iterable[Record], *, interval: int, unit: str, tz: ZoneInfo
) -> ImportReport:
    """Validate and store ``records`` as one batch; see the module's docstring for the rules."""
    importer = ReadingsImporter(session, interval=interval, unit=unit, tz=tz)
    importer.single_batch = True
    return importer.import_report(session, list(records))


class ReadingsImporter:
    """Readings as an importer of the host's import job (``industry_power.readings``).

    The job reads the file and hands over batches; what spans batches — the meters
    looked up, the intervals seen (duplicates), the clocks-go-back folds and each
    meter's latest reading (gaps) — is kept here, and rebuilt by :meth:`remember` when
    an import resumes after a crash. A gap is found between a meter's readings of one
    batch, and between its latest reading of the batches before and its earliest of
    this one: a file in meter and time order — as meters export them — has every gap
    reported once; in a file out of time order, a gap spanning two batches whose
    readings go back in time is not seen.
    """

    OPTIONS = ("interval", "unit", "timezone")

    @staticmethod
    def check_header(session: Session, columns: Iterable[str]) -> None:
        """Refuse a header other than meter, timestamp, value."""
        check_header(columns)

    @classmethod
    def check_options(cls, session: Session, options: dict[str, Any]) -> dict[str, Any]:
        """The interval (minutes), unit and optional timezone, checked; nothing is guessed."""
        errors: dict[str, list[str]] = {
            name: [f"Unknown option; the options are {', '.join(cls.OPTIONS)}."]
            for name in options
            if name not in cls.OPTIONS
        }
        raw_interval = str(options.get("interval") or "").strip()
        try:
            interval = int(raw_interval)
        except ValueError:
            interval = 0
        unit = str(options.get("unit") or "").strip()
        zone = str(options.get("timezone") or "").strip() or None
        try:
            check_options(interval, unit)
        except ValidationFailed as error:
            errors.update(error.details)
        try:
            timezone_named(zone)
        except ValueError as error:
            errors["timezone"] = [str(error)]
        if errors:
            raise ValidationFailed("say how the readings are measured", details=errors)
        return {"interval": interval, "unit": unit, "timezone": zone}

    def __init__(
        self,
        session: Session,
        *,
        interval: int,
        unit: str,
        timezone: str | None = None,
        tz: ZoneInfo | None = None,
    ) -> None:
        check_options(interval, unit)
        self.interval, self.unit = interval, unit
        self.tz = tz or timezone_named(timezone)
        self.meters: dict[str, _MeterInfo | None] = {}
        #: The line of every interval read so far, by meter id and UTC start (seconds).
        self.seen: dict[tuple[int, int], int] = {}
        self.folds: dict[tuple[int, datetime], int] = defaultdict(int)
        #: Each meter's latest good reading in the batches so far: UTC start (seconds), line.
        self.latest: dict[int, tuple[int, int]] = {}
        #: Meter numbers by id, for the texts of problems.
        self.numbers: dict[int, str] = {}
        #: Set when no batch follows, so the intervals seen need not be kept.
        self.single_batch = False
        self.now = utcnow()
        self._day_offsets: dict[int, int] = {}
        self._session = session

    def remember(self, records: Iterable[Record]) -> None:
        """Check the records of the batches already committed, storing nothing, so that
        duplicates, folds and gaps are judged as if the import had never stopped."""
        batch: list[Record] = []
        for record in records:
            batch.append(record)
            if len(batch) >= CHUNK:
                self._check(self._session, batch)
                batch = []
        self._check(self._session, batch)

    def import_batch(self, session: Session, records: list[Record]) -> BatchResult:
        """Check and store one batch; the host keeps its refused rows and gap notices."""
        report = self.import_report(session, records)
        raw = {record.line: record.raw for record in records}
        return BatchResult(
            created_count=report.new,
            updated_count=report.changed,
            unchanged=report.unchanged,
            rejects=[Reject(p.line, p.text, raw.get(p.line)) for p in report.rejects],
            notices=[Reject(p.line, p.text) for p in report.gaps],
        )

    def import_report(
        self, session: Session, records: list[Record] | readings_columns.Columns
    ) -> ImportReport:
        """Check and store one batch (records, or a file's columns), with one audit entry
        for it; the caller commits."""
        if isinstance(records, readings_columns.Columns):
            report, good = self._check_columns(session, records)
        else:
            report, good = self._check(session, records)
        outcome = store(session, good, self.interval, self.tz, self._is_uniform)
        report.new, report.changed, report.unchanged = (
            outcome.new,
            outcome.changed,
            outcome.unchanged,
        )
        for position, text in outcome.refused:
            meter = self.numbers[int(good.meter_id[position])]
            report.rejects.append(Problem(int(good.line[position]), text, meter))
        report.rejects.sort(key=lambda p: p.line)
        # One entry a batch, as for every bulk write.
        audit.record(
            session,
            "import",
            ReadingDay.__tablename__,
            None,
            after={
                "interval": self.interval,
                "unit": self.unit,
                "rows": report.rows,
                "new": report.new,
                "changed": report.changed,
                "unchanged": report.unchanged,
                "refused": len(report.rejects),
            },
            plugin=auditing.PLUGIN,
            row_count=report.stored,
        )
        return report

    def _check(self, session: Session, records: list[Record]) -> tuple[ImportReport, Readings]:
        return self._check_columns(session, readings_columns.from_records(records))

    def _check_columns(
        self, session: Session, columns: readings_columns.Columns
    ) -> tuple[ImportReport, Readings]:
        """Every row of ``columns`` judged: rejects and gaps in the report, and the
        good readings sorted by meter and time.

        Plain rows are judged with array operations; a row they cannot clear — an
        unusual text, a daylight-saving day, a value refused for any reason — is judged
        again by :func:`_check_row`, which gives every refusal its text, so a row gets
        the same verdict either way. Duplicates and gaps are found over both at once.
        """
        report = ImportReport(rows=columns.rows)
        fast, numbers, slow = self._check_plain(session, columns, report)
        slow.extend(columns.others)
        slow.sort(key=lambda record: record.line)
        goods: list[_Good] = []
        for record in slow:
            if record.error:
                report.rejects.append(Problem(record.line, record.error))
                continue
            number = str(record.values.get("meter") or "").strip()
            verdict = _check_row(
                session,
                record,
                number,
                self.meters,
                self.interval,
                self.unit,
                self.tz,
                self.folds,
                self.now,
            )
            if isinstance(verdict, str):
                report.rejects.append(Problem(record.line, verdict, number))
            else:
                goods.append(verdict)
                numbers[verdict.meter_id] = verdict.meter
        good = self._dedupe(Readings.join([fast, self._readings_of(goods)]), numbers, report)
        report.gaps = self._gaps(good, numbers)
        report.rejects.sort(key=lambda p: p.line)
        self.numbers.update(numbers)
        return report, good

    def _check_plain(
        self, session: Session, columns: readings_columns.Columns, report: ImportReport
    ) -> tuple[Readings, dict[int, str], list[Record]]:
        """The plain rows that pass every rule, as readings; the rows to check one by one."""
        codes, names = columns.meter, columns.names
        infos = [_meter(session, name, self.meters) for name in names]
        numbers = {info.id: name for info, name in zip(infos, names, strict=True) if info}
        # Per distinct meter, and a last entry for rows whose meter field is not plain.
        known = np.array([info is not None for info in infos] + [True])
        meter_ids = np.array([info.id if info else 0 for info in infos] + [0], dtype=np.int64)
        terms = [self._fast_terms(info) for info in infos] + [(0, -1)]
        scaled = np.array([term[0] for term in terms], dtype=np.int64)
        limits = np.array([term[1] for term in terms], dtype=np.int64)
        unknown = ~known[codes]
        for index in np.flatnonzero(unknown):
            name = names[codes[index]]
            report.rejects.append(Problem(int(columns.line[index]), f"unknown meter {name}", name))
        ok = columns.plain_time & columns.plain_value
        day, second, micro = columns.day, columns.second, columns.micro
        ok &= ~unknown & (limits[codes] >= 0)
        low, offsets = self._offsets(day[ok])
        offset = offsets[np.clip(day - low, 0, len(offsets) - 1)]
        moment = day * 86_400 + second - offset
        ok &= (offset != _NOT_UNIFORM) & (day >= low) & (day < low + len(offsets))
        ok &= (second % (self.interval * 60) == 0) & (moment <= self.now.timestamp())
        ok &= micro <= limits[codes]
        # mWh = round-half-even(value in millionths × multiplier in thousandths × F / D).
        factor, divisor = (1, 1000) if self.unit == "kWh" else (self.interval, 60_000)
        numerator = micro * scaled[codes] * factor
        quotient, remainder = np.divmod(numerator, divisor)
        up = (2 * remainder > divisor) | ((2 * remainder == divisor) & (quotient % 2 == 1))
        rows = np.flatnonzero(ok)
        fast = Readings(
            columns.line[rows],
            meter_ids[codes[rows]],
            moment[rows],
            (quotient + up)[rows],
            day[rows],
            second[rows] // (self.interval * 60),
        )
        slow = [columns.record(int(i)) for i in np.flatnonzero(~ok & ~unknown)]
        return fast, numbers, slow

    def _fast_terms(self, info: _MeterInfo | None) -> tuple[int, int]:
        """A meter's multiplier in thousandths and the largest value (in millionths)
        within its capacity, both exact; a limit of -1 sends its rows one by one."""
        if info is None:
            return 0, -1
        scaled = info.multiplier * 1000
        if scaled != scaled.to_integral_value() or scaled <= 0:
            return 0, -1
        # Over capacity when value × multiplier × 60 / interval (kWh) or value ×
        # multiplier (kW) exceeds the maximum demand.
        most = Fraction(info.max_kw) * 1_000_000_000 / int(scaled)
        if self.unit == "kWh":
            most = most * self.interval / 60
        return int(scaled), min(math.floor(most), _LARGEST)

    def _offsets(self, days: np.ndarray) -> tuple[int, np.ndarray]:
        """The first of ``days`` and the UTC offset (seconds) of every local day from it
        to the last, :data:`_NOT_UNIFORM` for a day whose offset changes (or absent)."""
        if not days.size:
            return 0, np.full(1, _NOT_UNIFORM, dtype=np.int64)
        low, high = int(days.min()), int(days.max())
        table = np.full(high - low + 1, _NOT_UNIFORM, dtype=np.int64)
        present = np.zeros(high - low + 1, dtype=bool)
        present[days - low] = True
        for index in np.flatnonzero(present).tolist():
            table[index] = self._offset_of(low + index)
        return low, table

    def _offset_of(self, day: int) -> int:
        if day not in self._day_offsets:
            self._day_offsets[day] = _day_offset(day, self.tz)
        return self._day_offsets[day]

    def _is_uniform(self, day: int) -> bool:
        """Whether the local ``day`` follows one UTC offset all day long."""
        return self._offset_of(day) != _NOT_UNIFORM

    def _readings_of(self, goods: list[_Good]) -> Readings:
        """The readings judged one by one, as arrays."""
        places = [storage.slot_of(g.moment, self.tz, self.interval) for g in goods]
        return Readings(
            np.array([g.line for g in goods], dtype=np.int64),
            np.array([g.meter_id for g in goods], dtype=np.int64),
            np.array([int(g.moment.timestamp()) for g in goods], dtype=np.int64),
            np.array([g.mwh for g in goods], dtype=np.int64),
            np.array([(day - EPOCH).days for day, _slot in places], dtype=np.int64),
            np.array([slot for _day, slot in places], dtype=np.int64),
        )

    def _dedupe(self, good: Readings, numbers: dict[int, str], report: ImportReport) -> Readings:
        """The readings in meter and time order without repeats: a reading of an interval
        already read (in this batch or one before) is refused, naming the first line."""
        if np.any(np.diff(good.line) < 0):
            good = good.take(np.argsort(good.line, kind="stable"))
        order = _meter_time_order(good)
        if order is not None:
            good = good.take(order)
        repeat = np.zeros(len(good), dtype=bool)
        if len(good):
            repeat[1:] = (good.meter_id[1:] == good.meter_id[:-1]) & (
                good.moment[1:] == good.moment[:-1]
            )
        first = np.maximum.accumulate(np.where(repeat, 0, np.arange(len(good))))
        earlier = {}
        if self.seen:
            for i in np.flatnonzero(~repeat):
                line = self.seen.get((int(good.meter_id[i]), int(good.moment[i])))
                if line is not None:
                    earlier[int(i)] = line
        for i in np.flatnonzero(repeat):
            earlier[int(i)] = int(good.line[first[i]])
        for i, line in earlier.items():
            local = datetime.fromtimestamp(int(good.moment[i]), self.tz)
            report.rejects.append(
                Problem(
                    int(good.line[i]),
                    f"duplicate of line {line} ({local:%Y-%m-%d %H:%M})",
                    numbers[int(good.meter_id[i])],
                )
            )
        if earlier:
            keep = np.ones(len(good), dtype=bool)
            keep[list(earlier)] = False
            good = good.take(keep)
        if not self.single_batch:
            self.seen.update(
                zip(
                    zip(good.meter_id.tolist(), good.moment.tolist(), strict=True),
                    good.line.tolist(),
                    strict=True,
                )
            )
        return good

    def _gaps(self, good: Readings, numbers: dict[int, str]) -> list[Problem]:
        """Missing intervals between a meter's readings, at the line of the one after the
        gap; each meter's latest reading of earlier batches is checked against its
        earliest of this one when that comes after it, and moved on."""
        step = self.interval * 60
        gaps = []
        if len(good):
            same = good.meter_id[1:] == good.meter_id[:-1]
            missing = (good.moment[1:] - good.moment[:-1]) // step - 1
            for i in np.flatnonzero(same & (missing > 0)):
                gaps.append(self._gap(good, i + 1, int(good.moment[i]), int(good.line[i]),
                                      int(missing[i]), numbers))  # fmt: skip
            heads = np.flatnonzero(np.concatenate(([True], ~same)))
            tails = np.concatenate((heads[1:] - 1, [len(good) - 1]))
            for head, tail in zip(heads.tolist(), tails.tolist(), strict=True):
                meter_id = int(good.meter_id[head])
                before = self.latest.get(meter_id)
                if before is not None and before[0] < good.moment[head]:
                    count = (int(good.moment[head]) - before[0]) // step - 1
                    if count > 0:
                        gaps.append(self._gap(good, head, before[0], before[1], count, numbers))
                if before is None or good.moment[tail] > before[0]:
                    self.latest[meter_id] = (int(good.moment[tail]), int(good.line[tail]))
        return sorted(gaps, key=lambda p: p.line)

    @staticmethod
    def _gap(
        good: Readings, after: int, moment: int, line: int, missing: int, numbers: dict[int, str]
    ) -> Problem:
        before = datetime.fromtimestamp(moment, UTC).isoformat()
        return Problem(
            int(good.line[after]),
            f"gap: {missing} interval(s) missing after {before} (line {line})",
            numbers[int(good.meter_id[after])],
        )


#: Offsets stored for days not yet looked at, and for days whose offset changes.
_UNKNOWN = np.iinfo(np.int64).min
_NOT_UNIFORM = np.iinfo(np.int64).min + 1
_LARGEST = 2**62
EPOCH = date(1970, 1, 1)


def _day_offset(day: int, tz: ZoneInfo) -> int:
    """The UTC offset (seconds) of the local ``day`` when it is the same all day long —
    no clock change, so no time in it is missing or repeated — else ``_NOT_UNIFORM``."""
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
        return int(_NOT_UNIFORM)
    return int(offsets.pop())


def _meter_time_order(good: Readings) -> np.ndarray | None:
    """Positions sorting ``good`` by meter then time, rows of a tie in their order;
    ``None`` when they are in that order already (as meters export them)."""
    if not len(good):
        return None
    low = int(good.moment.min())
    span = int(good.moment.max()) - low
    if span < 2**36 and int(good.meter_id.max()) < 2**26 and int(good.meter_id.min()) >= 0:
        key = (good.meter_id << 36) | (good.moment - low)
        if np.all(key[1:] >= key[:-1]):
            return None
        return np.argsort(key, kind="stable")
    return np.lexsort((good.moment, good.meter_id))


def _meter(session: Session, number: str, cache: dict[str, _MeterInfo | None]) -> _MeterInfo | None:
    if number not in cache:
        row = session.execute(
            sa.select(Meter.id, Meter.multiplier, Account.contracted_kva)
            .join(Account, Account.id == Meter.account_id)
            .where(Meter.number == number)
        ).first()
        cache[number] = (
            _MeterInfo(row.id, Decimal(row.multiplier), Decimal(row.contracted_kva) * MAX_OVERLOAD)
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


def _check_row(
    session: Session,
    record: Record,
    number: str,
    meters: dict[str, _MeterInfo | None],
    interval: int,
    unit: str,
    tz: ZoneInfo,
    folds: dict[tuple[int, datetime], int],
    now: datetime,
) -> _Good | str:
    """A row's reading, or why it is refused: every rule but repeats, which are found
    over a whole batch at once."""
    if not number:
        return "meter: Required."
    meter = _meter(session, number, meters)
    if meter is None:
        return f"unknown meter {number}"
    try:
        moment = parse_timestamp(str(record.values.get("timestamp") or ""), tz, folds, meter.id)
    except ValueError as error:
        return str(error)
    local = moment.astimezone(tz)
    if local.second or local.microsecond or (local.hour * 60 + local.minute) % interval:
        return f"{local:%Y-%m-%d %H:%M:%S} is not on a {interval}-minute boundary"
    if moment > now:
        return f"{local:%Y-%m-%d %H:%M} is in the future"
    raw = str(record.values.get("value") or "").strip()
    try:
        value = Decimal(raw)
    except (InvalidOperation, ValueError):
        return f"value {raw!r} is not a number" if raw else "value: Required."
    if not value.is_finite():
        return f"value {raw} is not a number"
    if value < 0:
        return f"negative value {raw}"
    kwh = value if unit == "kWh" else value * interval / 60
    kwh *= meter.multiplier
    demand = kwh * 60 / interval
    if demand > meter.max_kw:
        return (
            f"impossible value {raw} {unit}: {demand:.1f} kW is over {MAX_OVERLOAD}× "
            f"the contracted capacity ({meter.max_kw / MAX_OVERLOAD:.0f} kVA)"
        )
    mwh = int((kwh * 1000 * 1000).to_integral_value(ROUND_HALF_EVEN))
    return _Good(record.line, number, meter.id, moment, mwh)
