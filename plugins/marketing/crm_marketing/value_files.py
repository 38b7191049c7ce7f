"""Reading a reference data set for the lifetime-value models from a CSV file.

Three shapes are accepted, told apart by the header:

- an RFM summary in the ``lifetimes`` convention: ``frequency, recency, T`` and an
  optional ``monetary_value``;
- the CDNOW summary as Fader and Hardie publish it: ``x, t_x, T`` and an optional
  ``zbar`` (mean repeat spend);
- transactions: ``customer_id, date, amount`` (ISO dates), summarised per purchase
  day in weeks up to the last date in the file, which also gives the calibration /
  holdout split the models are compared on.

Any other column (an ``ID``) is ignored. A bad file raises :class:`ValueFileError`
naming the line and column.
"""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import numpy as np

from crm_marketing.purchase_history import Holdout, Summaries, split, summarise

#: The columns of each shape, in the order frequency, recency, T, spend.
SUMMARY_SHAPES = (
    ("frequency", "recency", "T", "monetary_value"),
    ("x", "t_x", "T", "zbar"),
)
TRANSACTION_COLUMNS = ("customer_id", "date", "amount")


class ValueFileError(ValueError):
    """The file cannot be read as a summary or transactions; the message says where."""


def read(path: str | Path) -> tuple[Summaries, Holdout | None]:
    """The customers' summaries in ``path`` and, for a transactions file, the holdout."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = [name.strip() for name in reader.fieldnames or ()]
            reader.fieldnames = header
            if all(name in header for name in TRANSACTION_COLUMNS):
                return _transactions(reader)
            for shape in SUMMARY_SHAPES:
                if all(name in header for name in shape[:3]):
                    return _summaries(reader, shape), None
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise ValueFileError(f"{path}: {error}") from None
    raise ValueFileError(
        f"{path}: line 1: the header needs frequency, recency, T (optionally "
        "monetary_value), or x, t_x, T (optionally zbar), or customer_id, date, amount"
    )


def _number(row: dict[str, Any], column: str, line: int) -> float:
    text = (row.get(column) or "").strip()
    try:
        value = float(text)
    except ValueError:
        raise ValueFileError(f"line {line}, column {column}: {text!r} is not a number") from None
    if not np.isfinite(value) or value < 0:
        raise ValueFileError(f"line {line}, column {column}: needs a number of at least 0")
    return value


def _summaries(reader: csv.DictReader, shape: tuple[str, ...]) -> Summaries:
    columns: list[list[float]] = [[], [], [], []]
    for line, row in enumerate(reader, start=2):
        x, t_x, age = (_number(row, name, line) for name in shape[:3])
        if t_x > age:
            raise ValueFileError(f"line {line}, column {shape[1]}: recency is above {shape[2]}")
        if x > 0 and t_x <= 0:
            raise ValueFileError(
                f"line {line}, column {shape[1]}: a repeat buyer needs recency > 0"
            )
        spend = _number(row, shape[3], line) if row.get(shape[3]) not in (None, "") else 0.0
        for column, value in zip(columns, (x, t_x, age, spend), strict=True):
            column.append(value)
    if not columns[0]:
        raise ValueFileError("line 2: the file has no customers")
    ids = list(range(1, len(columns[0]) + 1))
    return Summaries(ids, *(np.array(column, dtype=float) for column in columns))


def _transactions(reader: csv.DictReader) -> tuple[Summaries, Holdout | None]:
    days: dict[tuple[str, date], Decimal] = {}
    for line, row in enumerate(reader, start=2):
        customer = (row.get("customer_id") or "").strip()
        if not customer:
            raise ValueFileError(f"line {line}, column customer_id: missing")
        text = (row.get("date") or "").strip()
        try:
            day = date.fromisoformat(text[:10])
        except ValueError:
            raise ValueFileError(
                f"line {line}, column date: {text!r} is not a YYYY-MM-DD date"
            ) from None
        try:
            amount = Decimal((row.get("amount") or "").strip())
        except InvalidOperation:
            raise ValueFileError(
                f"line {line}, column amount: {row.get('amount')!r} is not a number"
            ) from None
        if not amount.is_finite():
            raise ValueFileError(f"line {line}, column amount: needs a finite number")
        days[(customer, day)] = days.get((customer, day), Decimal(0)) + amount
    if not days:
        raise ValueFileError("line 2: the file has no transactions")
    rows = [(customer, day, amount) for (customer, day), amount in sorted(days.items())]
    end = max(day for _, day, _ in rows)
    return summarise(rows, end), split(rows, end)
