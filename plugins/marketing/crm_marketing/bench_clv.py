"""``crm bench marketing.lifetime_value``: BG/NBD and Gamma-Gamma fitted on CDNOW by
marketing's :mod:`crm_marketing.clv` against the ``lifetimes`` package's fitters.

The data is the CDNOW summary that ships inside ``lifetimes`` (2,357 customers,
weekly, 39-week calibration), read from the package's files without its
``datasets`` module (which needs ``pkg_resources``). Both sides fit the same data;
the run fails unless the parameters agree. Without ``lifetimes`` there is neither the
data nor the baseline, and the figure says so.
"""

from __future__ import annotations

import csv
import importlib.resources
from pathlib import Path
from typing import Any

import numpy as np

from crm_host.sdk.bench import Databases, Figure, baseline_library, not_installed, timer
from crm_marketing import clv

#: Fits per side and size: CDNOW is one fixed data set, so sizes repeat the fit.
REPEATS = {"S": 1, "M": 3, "L": 5}
#: Relative difference allowed between the two sides' parameters.
TOLERANCE = 1e-3
FIGURE = "lifetime value fit on CDNOW (BG/NBD + Gamma-Gamma, 2,357 customers)"


def cdnow(lifetimes: Any) -> dict[str, np.ndarray]:
    """CDNOW's columns (frequency, recency, T, monetary) from the files in ``lifetimes``."""
    name = "cdnow_customers_summary_with_transactions.csv"
    with (
        importlib.resources.as_file(
            importlib.resources.files(lifetimes) / "datasets" / name
        ) as path,
        Path(path).open(newline="") as handle,
    ):
        rows = list(csv.DictReader(handle))
    get = {"frequency": "x", "recency": "t_x", "T": "T", "monetary": "zbar"}
    return {key: np.array([float(row[column]) for row in rows]) for key, column in get.items()}


def ours(data: dict[str, np.ndarray]) -> dict[str, float]:
    """Marketing's fits: BG/NBD on everyone, Gamma-Gamma on the repeat buyers."""
    bgnbd = clv.fit_bgnbd(data["frequency"], data["recency"], data["T"])
    spend = clv.fit_gamma_gamma(data["frequency"], data["monetary"])
    return {"r": bgnbd.r, "alpha": bgnbd.alpha, "a": bgnbd.a, "b": bgnbd.b} | {
        "p": spend.p,
        "q": spend.q,
        "v": spend.v,
    }


def theirs(lifetimes: Any, pandas: Any, data: dict[str, np.ndarray]) -> dict[str, float]:
    """``lifetimes``' BetaGeoFitter and GammaGammaFitter on the same data."""
    frame = pandas.DataFrame(data)
    bgf = lifetimes.BetaGeoFitter()
    bgf.fit(frame["frequency"], frame["recency"], frame["T"])
    repeat = frame[frame["frequency"] > 0]
    ggf = lifetimes.GammaGammaFitter()
    ggf.fit(repeat["frequency"], repeat["monetary"])
    return {key: float(bgf.params_[key]) for key in ("r", "alpha", "a", "b")} | {
        key: float(ggf.params_[key]) for key in ("p", "q", "v")
    }


def differences(mine: dict[str, float], reference: dict[str, float]) -> list[str]:
    """Parameters further apart than :data:`TOLERANCE` (relative)."""
    return [
        f"{key}: ours {mine[key]:.6g}, lifetimes {reference[key]:.6g}"
        for key in reference
        if abs(mine[key] - reference[key]) > TOLERANCE * abs(reference[key])
    ]


def bench_lifetime_value(size: str, databases: Databases, workdir: Path) -> list[Figure]:
    """Seconds per fit of both models, ours vs ``lifetimes``, same parameters."""
    lifetimes = baseline_library("lifetimes")
    pandas = baseline_library("pandas")
    if lifetimes is None or pandas is None:
        missing = not_installed("lifetimes, pandas: they also bring the CDNOW data")
        return [Figure("marketing.lifetime_value", FIGURE, "s", 0.0, 0.0, missing, False)]
    data = cdnow(lifetimes)
    repeats = REPEATS[size]
    with timer() as elapsed:
        for _ in range(repeats):
            mine = ours(data)
    ours_seconds = elapsed() / repeats
    with timer() as elapsed:
        for _ in range(repeats):
            reference = theirs(lifetimes, pandas, data)
    problems = differences(mine, reference)
    if problems:
        raise RuntimeError("the fits differ from lifetimes': " + "; ".join(problems))
    return [
        Figure(
            "marketing.lifetime_value",
            FIGURE,
            "s",
            ours_seconds,
            elapsed() / repeats,
            "lifetimes BetaGeoFitter + GammaGammaFitter (same parameters)",
            higher_is_better=False,
        )
    ]
