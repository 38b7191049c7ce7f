"""Readings as columns: a file or a batch of records turned into arrays, read with numpy.

Checking a reading row by row in Python costs microseconds, and a year of 15-minute
data for 1,000 meters is 35 million readings. Rows of the plain shape — an ASCII
meter number, ``YYYY-MM-DD HH:MM[:SS]`` and an unsigned decimal of at most six
decimals — are read here as byte matrices, one per field, and their numbers taken
with array operations. Every other row (a quoted field, an offset, a comma in a
value, a field count that is wrong) is handed back as a :class:`Record`, to be
judged by the row-by-row rules of :mod:`.readings`, which give each refusal its text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from crm_host.importing.readers import Record

#: Widest field read as an array (a meter number is at most 32 characters long).
METER_WIDTH = 32
TIMESTAMP_WIDTH = 19
VALUE_WIDTH = 19
#: A value's digits before and after the point: at most 10¹² kWh in millionths fits int64.
INTEGER_DIGITS, DECIMALS = 12, 6
_UTF8_BOM = b"\xef\xbb\xbf"


@dataclass
class Columns:
    """Plain rows as arrays (``line``, the three fields as byte matrices and their
    lengths), and the rows to be checked one by one."""

    line: np.ndarray
    meter: np.ndarray
    meter_len: np.ndarray
    timestamp: np.ndarray
    timestamp_len: np.ndarray
    value: np.ndarray
    value_len: np.ndarray
    others: list[Record]
    rows: int
    source: Callable[[int], Record]

    def __len__(self) -> int:
        return len(self.line)

    def record(self, index: int) -> Record:
        """Plain row ``index`` as the record it came from, to be checked one by one."""
        return self.source(index)


def read_csv(path: Path, header: Sequence[str]) -> Columns | None:
    """The rows of a CSV file whose ``header`` has been read and checked, or ``None``
    when the file is not plain — not ASCII, or with quotes, NULs or lone carriage
    returns — and must be read record by record.

    Lines are numbered as the host's reader numbers them: physical lines, the header
    being line 1, blank lines skipped but counted.
    """
    data = path.read_bytes()
    offset = len(_UTF8_BOM) if data.startswith(_UTF8_BOM) else 0
    buf = np.frombuffer(data, dtype=np.uint8)
    body = buf[offset:]
    if body.size and (body.max() >= 0x80 or np.any(body == ord('"')) or np.any(body == 0)):
        return None
    newlines = np.flatnonzero(buf == ord("\n"))
    returns = np.flatnonzero(buf == ord("\r"))
    if returns.size and (returns[-1] + 1 >= buf.size or np.any(buf[returns + 1] != ord("\n"))):
        return None  # a carriage return alone ends a line for csv: leave it to it
    ends = newlines
    if buf.size > offset and (not newlines.size or newlines[-1] != buf.size - 1):
        ends = np.append(newlines, buf.size)
    starts = np.concatenate(([offset], newlines + 1))[: ends.size]
    # Line 1 is the header, already read.
    starts, ends = starts[1:], ends[1:].copy()
    lines = np.arange(2, starts.size + 2, dtype=np.int64)
    has_return = ends > starts
    has_return[has_return] = buf[ends[has_return] - 1] == ord("\r")
    ends -= has_return
    commas = np.flatnonzero(buf == ord(","))
    commas = commas[commas >= (starts[0] if starts.size else buf.size)]
    owner = np.searchsorted(starts, commas, side="right") - 1
    count = np.bincount(owner, minlength=starts.size)
    first = np.cumsum(count) - count
    blank = ends == starts
    plain = (count == 2) & ~blank
    others = [
        _record_of_line(data[starts[i] : ends[i]].decode("ascii"), int(lines[i]), header)
        for i in np.flatnonzero(~plain & ~blank)
    ]
    rows = int(np.count_nonzero(~blank))
    c1 = commas[first[plain]]
    c2 = commas[first[plain] + 1]
    s, e = starts[plain], ends[plain]
    bounds = {header[0]: (s, c1), header[1]: (c1 + 1, c2), header[2]: (c2 + 1, e)}
    meter, meter_len = _matrix(buf, *bounds["meter"], METER_WIDTH)
    stamp, stamp_len = _matrix(buf, *bounds["timestamp"], TIMESTAMP_WIDTH)
    value, value_len = _matrix(buf, *bounds["value"], VALUE_WIDTH)
    plain_lines = lines[plain]

    def source(index: int) -> Record:
        text = data[int(s[index]) : int(e[index])].decode("ascii")
        return _record_of_line(text, int(plain_lines[index]), header)

    return Columns(
        plain_lines, meter, meter_len, stamp, stamp_len, value, value_len, others, rows, source
    )


def _record_of_line(text: str, line: int, header: Sequence[str]) -> Record:
    # Without quotes, csv splits a line at every comma; its error text is the reader's.
    row = text.split(",")
    if len(row) != len(header):
        return Record(line, {}, f"{len(row)} fields where the header has {len(header)}", raw=row)
    return Record(line, dict(zip(header, row, strict=True)), raw=row)


def _matrix(
    buf: np.ndarray, starts: np.ndarray, ends: np.ndarray, width: int
) -> tuple[np.ndarray, np.ndarray]:
    """The bytes from ``starts`` to ``ends`` of every row, zero-padded to ``width``;
    a longer field keeps its true length (and is never read as plain)."""
    lengths = (ends - starts).astype(np.int64)
    out = np.zeros((starts.size, width), dtype=np.uint8)
    last = buf.size - 1
    for k in range(width):
        inside = lengths > k
        if not inside.any():
            break
        out[:, k] = np.where(inside, buf[np.minimum(starts + k, last)], 0)
    return out, lengths


def from_records(records: Sequence[Record]) -> Columns:
    """A batch of records as columns: records of the plain shape go to the arrays;
    unreadable ones and those with unusual text stay records."""
    lines: list[int] = []
    texts: list[str] = []
    plain: list[Record] = []
    others: list[Record] = []
    for record in records:
        if record.error:
            others.append(record)
            continue
        values = record.values
        # As the row-by-row check reads them: a missing or empty value is "".
        fields = (
            str(values.get("meter") or ""),
            str(values.get("timestamp") or ""),
            str(values.get("value") or ""),
        )
        text = ",".join(fields)
        if not text.isascii() or text.count(",") != 2 or "\n" in text or "\r" in text:
            others.append(record)
            continue
        lines.append(record.line)
        texts.append(text)
        plain.append(record)
    data = "\n".join(texts).encode("ascii")
    buf = np.frombuffer(data, dtype=np.uint8)
    ends = np.flatnonzero(buf == ord("\n"))
    ends = np.append(ends, buf.size) if texts else ends[:0]
    starts = np.concatenate(([0], ends[:-1] + 1)) if texts else ends
    commas = np.flatnonzero(buf == ord(",")).reshape(-1, 2) if texts else np.zeros((0, 2), int)
    meter, meter_len = _matrix(buf, starts, commas[:, 0], METER_WIDTH)
    stamp, stamp_len = _matrix(buf, commas[:, 0] + 1, commas[:, 1], TIMESTAMP_WIDTH)
    value, value_len = _matrix(buf, commas[:, 1] + 1, ends, VALUE_WIDTH)
    return Columns(
        np.asarray(lines, dtype=np.int64),
        meter,
        meter_len,
        stamp,
        stamp_len,
        value,
        value_len,
        others,
        len(records),
        plain.__getitem__,
    )


def meter_codes(columns: Columns) -> tuple[np.ndarray, list[str]]:
    """Each plain row's index into the list of distinct meter numbers (``-1`` for a
    field that is not a plain number: empty, too long, or with spaces around it)."""
    n = len(columns)
    plain = (columns.meter_len >= 1) & (columns.meter_len <= METER_WIDTH)
    inside = np.arange(METER_WIDTH) < columns.meter_len[:, None]
    printable = (columns.meter > 0x20) & (columns.meter < 0x7F)
    plain &= np.all(printable | ~inside, axis=1)
    if not n:
        return np.zeros(0, dtype=np.int64), []
    # Files come in meter order: compare each row with the one before, and look up
    # only where the number changes.
    words = columns.meter.view(np.uint64)
    changed = np.ones(n, dtype=bool)
    changed[1:] = np.any(words[1:] != words[:-1], axis=1)
    run_of = np.cumsum(changed) - 1
    heads = np.flatnonzero(changed)
    distinct, head_code = np.unique(
        columns.meter[heads].view(f"S{METER_WIDTH}").ravel(), return_inverse=True
    )
    codes = head_code.ravel()[run_of]
    names = [name.decode("ascii") for name in distinct.tolist()]
    return np.where(plain, codes, -1), names


def days_from_civil(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 of proleptic Gregorian dates (H. Hinnant's algorithm)."""
    y = year - (month <= 2)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (month + np.where(month > 2, -3, 9)) + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


_DAYS_IN_MONTH = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def parse_timestamps(
    stamp: np.ndarray, length: np.ndarray, first_year: int, last_year: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Which timestamps are plain wall-clock times (``YYYY-MM-DD HH:MM[:SS]``, ``T`` or
    a space between, a real date in the years allowed), their local day (days since
    1970-01-01) and their second of that day."""
    c = stamp.astype(np.int64)
    digit = (c >= ord("0")) & (c <= ord("9"))
    n = c - ord("0")
    long = length == TIMESTAMP_WIDTH
    ok = (length == 16) | long
    for k in (0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15):
        ok &= digit[:, k]
    ok &= (c[:, 4] == ord("-")) & (c[:, 7] == ord("-")) & (c[:, 13] == ord(":"))
    ok &= (c[:, 10] == ord(" ")) | (c[:, 10] == ord("T"))
    ok &= ~long | ((c[:, 16] == ord(":")) & digit[:, 17] & digit[:, 18])
    year = n[:, 0] * 1000 + n[:, 1] * 100 + n[:, 2] * 10 + n[:, 3]
    month = n[:, 5] * 10 + n[:, 6]
    day = n[:, 8] * 10 + n[:, 9]
    hour = n[:, 11] * 10 + n[:, 12]
    minute = n[:, 14] * 10 + n[:, 15]
    second = np.where(long, n[:, 17] * 10 + n[:, 18], 0)
    ok &= (year >= first_year) & (year <= last_year) & (month >= 1) & (month <= 12)
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_days = _DAYS_IN_MONTH[np.clip(month, 0, 12)] + (leap & (month == 2))
    ok &= (day >= 1) & (day <= month_days) & (hour < 24) & (minute < 60) & (second < 60)
    days = np.where(ok, days_from_civil(year, np.clip(month, 1, 12), day), 0)
    return ok, days, hour * 3600 + minute * 60 + second


def parse_values(value: np.ndarray, length: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which values are plain unsigned decimals (``25``, ``10.125``: at most
    :data:`INTEGER_DIGITS` digits before the point and :data:`DECIMALS` after it), and
    each one in millionths."""
    c = value.astype(np.int64)
    inside = np.arange(VALUE_WIDTH) < length[:, None]
    digit = (c >= ord("0")) & (c <= ord("9")) & inside
    point = (c == ord(".")) & inside
    points = point.sum(axis=1)
    ok = (length >= 1) & (length <= VALUE_WIDTH) & np.all(digit | point | ~inside, axis=1)
    ok &= points <= 1
    at = np.where(points == 1, point.argmax(axis=1), length)
    decimals = np.where(points == 1, length - at - 1, 0)
    ok &= (at >= 1) & (at <= INTEGER_DIGITS) & (decimals <= DECIMALS)
    ok &= (points == 0) | (decimals >= 1)
    number = np.zeros(len(length), dtype=np.int64)
    for k in range(VALUE_WIDTH):
        step = digit[:, k] & ok
        if not step.any():
            continue
        number = np.where(step, number * 10 + (c[:, k] - ord("0")), number)
    scale = 10 ** (DECIMALS - np.clip(decimals, 0, DECIMALS))
    return ok, np.where(ok, number * scale, 0)
