"""What a benchmark returns: figures, each ours against a baseline measured in the same run."""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from types import ModuleType
from typing import Any

#: Rows (customers, baskets, recipients…) per size; each benchmark scales from these.
SIZES = {"S": 10_000, "M": 100_000, "L": 1_000_000}

#: Where a missing baseline library comes from.
BENCH_EXTRA = "pip install 'crm-host[bench]'"


@dataclass
class Figure:
    """One measured figure and its baseline.

    ``baseline`` is 0 when the baseline could not be measured (its library is not
    installed); ``baseline_name`` then says so and the ratio is 0.
    """

    benchmark: str
    figure: str
    unit: str
    ours: float
    baseline: float
    baseline_name: str
    higher_is_better: bool = True

    @property
    def ratio(self) -> float:
        """Ours relative to the baseline (1.0 = as good; below 1 = worse)."""
        if not self.baseline or not self.ours:
            return 0.0
        return self.ours / self.baseline if self.higher_is_better else self.baseline / self.ours

    def as_dict(self) -> dict[str, Any]:
        """JSON form, with the ratio."""
        return {**asdict(self), "ratio": round(self.ratio, 3)}


@contextmanager
def timer() -> Iterator[Callable[[], float]]:
    """``with timer() as elapsed: …`` then ``elapsed()`` is the block's wall time in seconds."""
    start = time.perf_counter()
    elapsed = [0.0]
    yield lambda: elapsed[0]
    elapsed[0] = time.perf_counter() - start


def baseline_library(name: str) -> ModuleType | None:
    """The baseline library ``name`` imported, or ``None`` when it is not installed.

    Baselines are optional (the ``bench`` extra): a benchmark whose baseline is
    missing still measures its own side and reports the baseline as not installed.
    """
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def not_installed(library: str) -> str:
    """The ``baseline_name`` of a figure whose baseline library is missing."""
    return f"baseline not installed ({library}; {BENCH_EXTRA})"
