"""Choosing between the purchase models and discounting what they predict.

:func:`compare` fits BG/NBD and Pareto/NBD on the same customers and reports each
one's log-likelihood and, on a calibration / holdout split, its predicted against
the actual holdout purchases (mean absolute error per customer).

:func:`discounted_value` turns expected purchases into money now. Discounting is
**per period**, weekly: the purchases a model expects in week *k* of the horizon
(the growth of its cumulative expectation over that week) are valued at
``(1 + annual rate) ^ −(k / 52.18)`` — discounted from the end of the week they fall
in, with 365.25 / 7 weeks a year, as ``lifetimes``' ``customer_lifetime_value``
does monthly. A rate of 0 is the undiscounted ``E[purchases] · spend``.
"""

from __future__ import annotations

import math
from typing import Any, Protocol

import numpy as np
from flask import current_app, has_app_context
from numpy.typing import ArrayLike

from crm_marketing import clv, pareto
from crm_marketing.purchase_history import Holdout, Summaries

WEEKS_PER_YEAR = 365.25 / 7
DEFAULT_DISCOUNT_RATE = 0.10
MODELS = ("bgnbd", "pareto_nbd")


class PurchaseModel(Protocol):
    """What a fitted purchase model offers: BG/NBD and Pareto/NBD both do."""

    log_likelihood: float

    def expected_purchases(
        self, horizon: float, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> np.ndarray: ...


def discount_rate() -> float:
    """The annual discount rate: ``MARKETING_VALUE_DISCOUNT_RATE`` (a fraction) or 0.10."""
    configured = (
        current_app.config.get("MARKETING_VALUE_DISCOUNT_RATE") if has_app_context() else None
    )
    rate = DEFAULT_DISCOUNT_RATE if configured is None else float(configured)
    if not 0 <= rate < 10:
        raise ValueError("MARKETING_VALUE_DISCOUNT_RATE must be a fraction from 0 (e.g. 0.1)")
    return rate


def discounted_value(
    model: PurchaseModel,
    horizon_weeks: float,
    data: Summaries,
    spend: ArrayLike,
    annual_rate: float,
) -> np.ndarray:
    """Each customer's expected spend over ``horizon_weeks``, discounted weekly at
    ``annual_rate`` (see the module's docstring)."""
    args = (data.frequency, data.recency, data.age)
    spend = np.asarray(spend, dtype=float)
    if annual_rate == 0:
        return model.expected_purchases(horizon_weeks, *args) * spend
    total = np.zeros_like(data.frequency, dtype=float)
    before = np.zeros_like(total)
    for week in range(1, math.ceil(horizon_weeks) + 1):
        end = min(float(week), horizon_weeks)
        upto = model.expected_purchases(end, *args)
        total += (upto - before) * (1 + annual_rate) ** (-end / WEEKS_PER_YEAR)
        before = upto
    return total * spend


def _fit(name: str, data: Summaries) -> Any:
    fit = clv.fit_bgnbd if name == "bgnbd" else pareto.fit_pareto
    return fit(data.frequency, data.recency, data.age)


def compare(
    data: Summaries, holdout: Holdout | None, fitted: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Each model's parameters and log-likelihood on ``data`` and, given a holdout, its
    predicted and actual holdout purchases and their mean absolute error per customer.

    ``fitted`` passes fits already made on ``data`` (by model name). A model that
    cannot be fitted is reported with its reason instead of figures.
    """
    result: dict[str, Any] = {
        "holdout_weeks": round(holdout.weeks, 4) if holdout else None,
        "holdout_customers": len(holdout.calibration.customer_ids) if holdout else 0,
        "models": {},
    }
    for name in MODELS:
        entry: dict[str, Any] = {}
        try:
            model = (fitted or {}).get(name) or _fit(name, data)
        except clv.FitError as error:
            result["models"][name] = {"error": str(error)}
            continue
        entry["log_likelihood"] = model.log_likelihood
        entry["params"] = {
            key: getattr(model, key)
            for key in ("r", "alpha", "a", "b", "s", "beta")
            if hasattr(model, key)
        }
        entry.update(_holdout_error(name, holdout))
        result["models"][name] = entry
    return result


def _holdout_error(name: str, holdout: Holdout | None) -> dict[str, Any]:
    """Predicted against actual holdout purchases of a model fitted on the calibration."""
    if holdout is None:
        return {"holdout_error": None}
    calibration = holdout.calibration
    try:
        model = _fit(name, calibration)
    except clv.FitError as error:
        return {"holdout_error": None, "holdout_note": str(error)}
    with np.errstate(all="ignore"):
        predicted = model.expected_purchases(
            holdout.weeks, calibration.frequency, calibration.recency, calibration.age
        )
    if not np.all(np.isfinite(predicted)):
        return {"holdout_error": None, "holdout_note": "the calibration fit is degenerate"}
    return {
        "holdout_predicted": float(predicted.sum()),
        "holdout_actual": float(holdout.actual.sum()),
        "holdout_error": float(np.mean(np.abs(predicted - holdout.actual))),
    }
