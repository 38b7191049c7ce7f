"""Purchase days summarised per customer for the lifetime-value models, and the
calibration / holdout split the models are compared on.

The input is one row per customer and purchase day, ``(customer_id, day, amount)``,
sorted by customer then day: the shape :func:`crm_marketing.lifetime_value.summaries`
reads from the transaction union and :mod:`crm_marketing.value_files` reads from a
transactions file. Times are in weeks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np

WEEK = 7.0
#: The share of the observed period held out to check the models' predictions: the
#: later half, as CDNOW's 39 calibration and 39 holdout weeks.
HOLDOUT_SHARE = 0.5


@dataclass
class Summaries:
    """Per-customer purchase summaries, as parallel arrays (weeks, money per day)."""

    customer_ids: list[Any]
    frequency: np.ndarray
    recency: np.ndarray
    age: np.ndarray
    #: Mean spend of the repeat purchase days; 0 for customers without one.
    average_spend: np.ndarray


@dataclass
class Holdout:
    """Calibration summaries, the holdout's length and each customer's holdout purchases."""

    calibration: Summaries
    weeks: float
    actual: np.ndarray


def summarise(rows: Iterable[tuple[Any, date, Any]], today: date) -> Summaries:
    """Frequency, recency and age in weeks, and the mean repeat spend, of each customer
    in ``rows`` (one row per customer and purchase day, sorted), as seen on ``today``."""
    ids: list[Any] = []
    columns: list[list[float]] = [[], [], [], []]
    current: Any = None
    first = last = today
    repeat_total, count = 0.0, 0

    def close() -> None:
        ids.append(current)
        columns[0].append(count - 1)
        columns[1].append((last - first).days / WEEK)
        columns[2].append((today - first).days / WEEK)
        # The first purchase day is not a repeat: its spend stays out of the mean.
        columns[3].append(repeat_total / (count - 1) if count > 1 else 0.0)

    for customer_id, day, amount in rows:
        if count == 0 or customer_id != current:
            if count:
                close()
            current, first, repeat_total, count = customer_id, day, 0.0, 0
        else:
            repeat_total += float(amount or 0)
        last = day
        count += 1
    if count:
        close()
    return Summaries(ids, *(np.array(column, dtype=float) for column in columns))


def split(rows: list[tuple[Any, date, Any]], today: date) -> Holdout | None:
    """The calibration summaries up to the cut-off and each calibration customer's
    purchase days after it; ``None`` when the history is too short to split.

    The cut-off leaves :data:`HOLDOUT_SHARE` of the days from the first purchase to
    ``today`` for the holdout; customers whose first purchase is later are not in it.
    """
    if not rows:
        return None
    start = min(day for _, day, _ in rows)
    holdout_days = int((today - start).days * HOLDOUT_SHARE)
    if holdout_days < 1:
        return None
    cutoff = today - timedelta(days=holdout_days)
    calibration = summarise([row for row in rows if row[1] <= cutoff], cutoff)
    later: dict[Any, int] = {}
    for customer_id, day, _ in rows:
        if day > cutoff:
            later[customer_id] = later.get(customer_id, 0) + 1
    actual = np.array([later.get(c, 0) for c in calibration.customer_ids], dtype=float)
    return Holdout(calibration, holdout_days / WEEK, actual)
