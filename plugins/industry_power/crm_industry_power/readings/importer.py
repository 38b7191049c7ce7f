"""The readings importer: a file or the host's import job's batches checked as arrays,
the unusual rows one by one, and the good readings stored."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import datetime
from fractions import Fraction
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy.orm import Session

from crm_host.sdk import ValidationFailed, audit, utcnow
from crm_host.sdk.customers import BatchResult, Record, Reject, detect_format, read_records
from crm_industry_power import auditing
from crm_industry_power.models import ReadingDay
from crm_industry_power.readings import columns as readings_columns
from crm_industry_power.readings import order
from crm_industry_power.readings import rows as row_checks
from crm_industry_power.readings.options import check_header, check_options, resolve_unit
from crm_industry_power.readings.places import EPOCH, NOT_UNIFORM, Places
from crm_industry_power.readings.report import ImportReport, Problem
from crm_industry_power.readings.rows import VALUE, Good, MeterInfo
from crm_industry_power.readings.store import Readings, store
from crm_industry_power.readings.units import UNITS, Unit, value_column
from crm_industry_power.zones import company_timezone, timezone_named

#: Day rows fetched and written per statement.
CHUNK = 500
_LARGEST = 2**62


def import_file(
    session: Session,
    path: Path,
    *,
    interval: int,
    unit: str | None,
    tz: ZoneInfo,
    fmt: str | None = None,
) -> ImportReport:
    """Import a readings file in one transaction; the caller commits. Raises
    ``ImportFileError`` for a file that cannot be read at all and ``ValidationFailed``
    for bad options. ``unit`` may be left to the value column's header (``value_MWh``).
    Big files go through the host's import job instead
    (``crm import industry_power.readings FILE -o interval=15 -o unit=kWh``): batches
    that each commit, resumable after a crash, on any queue backend."""
    check_options(interval, unit)
    # A plain CSV file is read straight into arrays, without a record a row.
    data = readings_columns.plain_csv(path) if (fmt or detect_format(path)) == "csv" else None
    header, records = read_records(path, fmt, "utf-8-sig" if data is not None else None)
    check_header(header)
    declared = resolve_unit(unit, header)
    if data is None:
        return import_records(session, records, interval=interval, unit=declared.name, tz=tz)
    records.close()
    columns = readings_columns.read_csv(data, [_plain_name(c) for c in header])
    importer = ReadingsImporter(session, interval=interval, unit=declared.name, tz=tz)
    importer.single_batch = True
    return importer.import_report(session, columns)


def import_records(
    session: Session, records: Iterable[Record], *, interval: int, unit: str | None, tz: ZoneInfo
) -> ImportReport:
    """Validate and store ``records`` as one batch; see the module's docstring for the rules."""
    importer = ReadingsImporter(session, interval=interval, unit=unit, tz=tz)
    importer.single_batch = True
    return importer.import_report(session, list(records))


def _plain_name(column: str) -> str:
    """A column as the rules read it: a value header with its unit is ``value``."""
    found = value_column([column])
    return VALUE if found else column


def _renamed(records: Iterable[Record], column: str) -> Iterator[Record]:
    """``records`` with their ``column`` (a value header with a unit) named ``value``."""
    for record in records:
        values = dict(record.values)
        if column in values:
            values[VALUE] = values.pop(column)
        yield Record(record.line, values, record.error, raw=record.raw)


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
        unit: str | None,
        timezone: str | None = None,
        tz: ZoneInfo | None = None,
    ) -> None:
        check_options(interval, unit)
        self.interval = interval
        #: The unit: the option's, or the one the value header declares (first batch).
        self.unit: Unit | None = UNITS[unit] if unit else None
        #: The zone the file's wall-clock times are read in (``--timezone``) …
        self.tz = tz or timezone_named(timezone)
        #: … and the zone whose days the readings are filed under, as every reader reads
        #: them. A timestamp is converted once, file zone → UTC → company day and slot.
        self.company = company_timezone()
        self.meters: dict[str, MeterInfo | None] = {}
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
        self.places = Places(self.tz, self.company, interval)
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
            notices=[
                Reject(p.line, p.text)
                for p in sorted(report.gaps + report.overloads, key=lambda p: p.line)
            ],
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
        outcome = store(session, good, self.interval, self.company, self.places.is_uniform)
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
                "unit": self.unit.name if self.unit else None,
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
        keys = next((r.values for r in records if not r.error and r.values), {})
        found = value_column(keys)
        if self.unit is None:
            self.unit = resolve_unit(None, keys)
        if found and found[0] != VALUE:
            records = list(_renamed(records, found[0]))
        return self._check_columns(session, readings_columns.from_records(records))

    def _check_columns(
        self, session: Session, columns: readings_columns.Columns
    ) -> tuple[ImportReport, Readings]:
        """Every row of ``columns`` judged: rejects and gaps in the report, and the
        good readings sorted by meter and time.

        Plain rows are judged with array operations; a row they cannot clear — an
        unusual text, a daylight-saving day, a value refused for any reason — is judged
        again by :func:`check_row`, which gives every refusal its text, so a row gets
        the same verdict either way. Duplicates and gaps are found over both at once.
        """
        report = ImportReport(rows=columns.rows)
        fast, numbers, slow = self._check_plain(session, columns, report)
        slow.extend(columns.others)
        slow.sort(key=lambda record: record.line)
        goods: list[Good] = []
        for record in slow:
            if record.error:
                report.rejects.append(Problem(record.line, record.error))
                continue
            number = str(record.values.get("meter") or "").strip()
            verdict = row_checks.check_row(
                session,
                record,
                number,
                self.meters,
                self.interval,
                self._unit,
                self.tz,
                self.folds,
                self.now,
            )
            if not isinstance(verdict, str):
                verdict = self.places.placed(verdict)
            if isinstance(verdict, str):
                report.rejects.append(Problem(record.line, verdict, number))
            else:
                if verdict.overload:
                    report.overloads.append(Problem(record.line, verdict.overload, number))
                goods.append(verdict)
                numbers[verdict.meter_id] = verdict.meter
        good = order.dedupe(
            Readings.join([fast, self._readings_of(goods)]),
            numbers,
            report,
            seen=self.seen,
            tz=self.tz,
            remember=not self.single_batch,
        )
        report.gaps = order.find_gaps(good, numbers, self.latest, self.interval * 60)
        report.rejects.sort(key=lambda p: p.line)
        self.numbers.update(numbers)
        return report, good

    def _check_plain(
        self, session: Session, columns: readings_columns.Columns, report: ImportReport
    ) -> tuple[Readings, dict[int, str], list[Record]]:
        """The plain rows that pass every rule, as readings; the rows to check one by one."""
        codes, names = columns.meter, columns.names
        infos = [row_checks.meter_info(session, name, self.meters) for name in names]
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
        low, offsets = self.places.offsets(day[ok], self.tz)
        offset = offsets[np.clip(day - low, 0, len(offsets) - 1)]
        moment = day * 86_400 + second - offset
        ok &= (offset != NOT_UNIFORM) & (day >= low) & (day < low + len(offsets))
        ok &= (second % (self.interval * 60) == 0) & (moment <= self.now.timestamp())
        ok &= micro <= limits[codes]
        filed_day, filed_second, filed = self.places.company_places(moment, day, second, ok)
        ok &= filed
        # mWh = round-half-even(value in millionths × multiplier in thousandths × F / D).
        factor, divisor = self._unit.fast_terms(self.interval)
        numerator = micro * scaled[codes] * factor
        quotient, remainder = np.divmod(numerator, divisor)
        up = (2 * remainder > divisor) | ((2 * remainder == divisor) & (quotient % 2 == 1))
        rows = np.flatnonzero(ok)
        fast = Readings(
            columns.line[rows],
            meter_ids[codes[rows]],
            moment[rows],
            (quotient + up)[rows],
            filed_day[rows],
            filed_second[rows] // (self.interval * 60),
        )
        slow = [columns.record(int(i)) for i in np.flatnonzero(~ok & ~unknown)]
        return fast, numbers, slow

    def _fast_terms(self, info: MeterInfo | None) -> tuple[int, int]:
        """A meter's multiplier in thousandths and the largest value (in millionths)
        within its capacity, both exact; a limit of -1 sends its rows one by one."""
        if info is None or info.quantity != self._unit.quantity:
            return 0, -1
        scaled = info.multiplier * 1000
        if scaled != scaled.to_integral_value() or scaled <= 0:
            return 0, -1
        # Over capacity when the value as canonical demand (× multiplier, × the unit's
        # scale, and × 60 / interval for energy) exceeds the maximum demand: such a
        # row goes one by one, to be reported as an overload or refused.
        factor, _divisor = self._unit.fast_terms(self.interval)
        most = Fraction(info.max_kw) * 1_000_000_000 / int(scaled) / self._unit.scale
        if self._unit.energy:
            most = most * self.interval / 60
        # And the arithmetic of the array path stays inside 64 bits.
        return int(scaled), min(math.floor(most), _LARGEST // (int(scaled) * factor), _LARGEST)

    @property
    def _unit(self) -> Unit:
        """The unit, once known (checking a batch resolves it first)."""
        if self.unit is None:  # pragma: no cover - _check resolves it before any use
            raise ValidationFailed("say the unit", details={"unit": ["Required."]})
        return self.unit

    def _readings_of(self, goods: list[Good]) -> Readings:
        """The readings judged one by one, as arrays."""
        places = [g.place for g in goods]
        return Readings(
            np.array([g.line for g in goods], dtype=np.int64),
            np.array([g.meter_id for g in goods], dtype=np.int64),
            np.array([int(g.moment.timestamp()) for g in goods], dtype=np.int64),
            np.array([g.mwh for g in goods], dtype=np.int64),
            np.array([(day - EPOCH).days for day, _slot in places], dtype=np.int64),
            np.array([slot for _day, slot in places], dtype=np.int64),
        )
