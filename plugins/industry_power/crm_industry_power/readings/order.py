"""Readings in meter and time order: repeats refused and gaps between intervals found,
over a batch and against the batches before it."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import numpy as np

from crm_industry_power.readings.report import ImportReport, Problem
from crm_industry_power.readings.store import Readings


def dedupe(
    good: Readings,
    numbers: dict[int, str],
    report: ImportReport,
    *,
    seen: dict[tuple[int, int], int],
    tz: ZoneInfo,
    remember: bool,
) -> Readings:
    """The readings in meter and time order without repeats: a reading of an interval
    already read (in ``seen``, or earlier in this batch) is refused, naming the first line;
    with ``remember`` the intervals kept are added to ``seen`` for the batches to come."""
    if np.any(np.diff(good.line) < 0):
        good = good.take(np.argsort(good.line, kind="stable"))
    order = meter_time_order(good)
    if order is not None:
        good = good.take(order)
    repeat = np.zeros(len(good), dtype=bool)
    if len(good):
        repeat[1:] = (good.meter_id[1:] == good.meter_id[:-1]) & (
            good.moment[1:] == good.moment[:-1]
        )
    first = np.maximum.accumulate(np.where(repeat, 0, np.arange(len(good))))
    earlier = {}
    if seen:
        for i in np.flatnonzero(~repeat):
            line = seen.get((int(good.meter_id[i]), int(good.moment[i])))
            if line is not None:
                earlier[int(i)] = line
    for i in np.flatnonzero(repeat):
        earlier[int(i)] = int(good.line[first[i]])
    for i, line in earlier.items():
        local = datetime.fromtimestamp(int(good.moment[i]), tz)
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
    if remember:
        seen.update(
            zip(
                zip(good.meter_id.tolist(), good.moment.tolist(), strict=True),
                good.line.tolist(),
                strict=True,
            )
        )
    return good


def find_gaps(
    good: Readings, numbers: dict[int, str], latest: dict[int, tuple[int, int]], step: int
) -> list[Problem]:
    """Missing intervals between a meter's readings, at the line of the one after the
    gap; each meter's latest reading of earlier batches is checked against its
    earliest of this one when that comes after it, and moved on (``step``: seconds an
    interval)."""
    gaps = []
    if len(good):
        same = good.meter_id[1:] == good.meter_id[:-1]
        missing = (good.moment[1:] - good.moment[:-1]) // step - 1
        for i in np.flatnonzero(same & (missing > 0)):
            gaps.append(_gap(good, i + 1, int(good.moment[i]), int(good.line[i]),
                                  int(missing[i]), numbers))  # fmt: skip
        heads = np.flatnonzero(np.concatenate(([True], ~same)))
        tails = np.concatenate((heads[1:] - 1, [len(good) - 1]))
        for head, tail in zip(heads.tolist(), tails.tolist(), strict=True):
            meter_id = int(good.meter_id[head])
            before = latest.get(meter_id)
            if before is not None and before[0] < good.moment[head]:
                count = (int(good.moment[head]) - before[0]) // step - 1
                if count > 0:
                    gaps.append(_gap(good, head, before[0], before[1], count, numbers))
            if before is None or good.moment[tail] > before[0]:
                latest[meter_id] = (int(good.moment[tail]), int(good.line[tail]))
    return sorted(gaps, key=lambda p: p.line)


def _gap(
    good: Readings, after: int, moment: int, line: int, missing: int, numbers: dict[int, str]
) -> Problem:
    before = datetime.fromtimestamp(moment, UTC).isoformat()
    return Problem(
        int(good.line[after]),
        f"gap: {missing} interval(s) missing after {before} (line {line})",
        numbers[int(good.meter_id[after])],
    )


def meter_time_order(good: Readings) -> np.ndarray | None:
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
