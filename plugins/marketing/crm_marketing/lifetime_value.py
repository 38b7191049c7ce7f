"""Each buyer's lifetime value, refreshed from the host's transaction union.

Purchases are read per customer and day in one currency (several orders on one day
are one purchase, as in the CDNOW data the models were published on), summarised
in weeks, and the BG/NBD and Gamma-Gamma models of :mod:`crm_marketing.clv` are
fitted over every buyer; each customer's P(alive), expected purchases and expected
spend over the horizon are stored in ``marketing_customer_values``, and the fitted
parameters in ``marketing_value_models``.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import numpy as np
import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy.orm import Session

from crm_host.sdk import CrmError, audit, utcnow
from crm_host.sdk.customers import transactions
from crm_marketing.models import CustomerValue, ValueModel
from crm_marketing.purchase_history import WEEK, Summaries, split, summarise

JOB = "marketing.refresh_value"
DEFAULT_CURRENCY = "CNY"
DEFAULT_HORIZON_DAYS = 365
#: P(alive) below which a customer counts as at high / medium churn risk.
HIGH_RISK_BELOW = 0.3
MEDIUM_RISK_BELOW = 0.7
CHURN_RISKS = ("low", "medium", "high")


class HistoryError(CrmError):
    """The purchase history cannot support the models (too few buyers or repeat buyers)."""

    status = 409


def horizon_days() -> int:
    """The horizon of expected value: ``MARKETING_VALUE_HORIZON_DAYS`` or 365."""
    configured = (
        current_app.config.get("MARKETING_VALUE_HORIZON_DAYS") if has_app_context() else None
    )
    return int(configured or DEFAULT_HORIZON_DAYS)


def churn_risk(p_alive: float) -> str:
    """``high`` below P(alive) 0.3, ``medium`` below 0.7, otherwise ``low``."""
    if p_alive < HIGH_RISK_BELOW:
        return "high"
    return "medium" if p_alive < MEDIUM_RISK_BELOW else "low"


def _day(value: Any) -> date:
    # SQLite's date() gives text, PostgreSQL's a date.
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def purchase_days(session: Session, currency: str, now: datetime) -> list[tuple[int, date, Any]]:
    """Each buyer's spend per purchase day in ``currency`` up to ``now``, sorted by
    customer and day: one query; days are UTC calendar days."""
    tx = transactions(session)
    day = sa.func.date(tx.c.occurred_at)
    rows = session.execute(
        sa.select(tx.c.customer_id, day.label("day"), sa.func.sum(tx.c.amount))
        .where(
            tx.c.customer_id.is_not(None),
            tx.c.currency == currency,
            tx.c.occurred_at <= now,
        )
        .group_by(tx.c.customer_id, day)
        .order_by(tx.c.customer_id, day)
    )
    return [(customer_id, _day(raw), amount) for customer_id, raw, amount in rows]


def summaries(session: Session, currency: str, now: datetime) -> Summaries:
    """Frequency, recency and age in weeks of every buyer in ``currency``, up to ``now``."""
    return summarise(purchase_days(session, currency, now), now.date())


def _model(
    currency: str, days: int, data: Any, bgnbd: Any, spend_model: Any, now: datetime
) -> ValueModel:
    """The stored record of one fit: its parameters and log-likelihoods."""
    return ValueModel(
        currency=currency,
        horizon_days=days,
        customers=len(data.customer_ids),
        repeat_buyers=int(np.count_nonzero(data.frequency)),
        r=bgnbd.r,
        alpha=bgnbd.alpha,
        a=bgnbd.a,
        b=bgnbd.b,
        bgnbd_log_likelihood=bgnbd.log_likelihood,
        p=spend_model.p if spend_model else None,
        q=spend_model.q if spend_model else None,
        v=spend_model.v if spend_model else None,
        gamma_gamma_log_likelihood=spend_model.log_likelihood if spend_model else None,
        computed_at=now,
    )


def refresh(
    session: Session,
    currency: str = DEFAULT_CURRENCY,
    horizon: int | None = None,
    discount_rate: float | None = None,
) -> ValueModel:
    """Fit the models over every buyer and rebuild every customer's value, in the caller's
    transaction; returns the stored model.

    The expected value is discounted at ``discount_rate`` a year (the setting
    ``MARKETING_VALUE_DISCOUNT_RATE``, else 10 %), weekly; see
    :mod:`crm_marketing.value_models`. The stored model also compares BG/NBD with
    Pareto/NBD on the same history. Raises :class:`HistoryError` (nothing changed)
    when the history cannot support BG/NBD; without enough repeat buyers for
    Gamma-Gamma the expected values are left empty and the rest is stored.
    """
    # Imported here: scipy.optimize takes over half a second to load, and every worker
    # starting the app would pay it, though only the nightly refit fits anything.
    from crm_marketing import clv, value_models

    days = horizon or horizon_days()
    rate = value_models.discount_rate() if discount_rate is None else discount_rate
    now = utcnow()
    history = purchase_days(session, currency, now)
    data = summarise(history, now.date())
    try:
        bgnbd = clv.fit_bgnbd(data.frequency, data.recency, data.age)
    except clv.FitError as error:
        raise HistoryError(
            f"cannot fit the purchase model on the {currency} transactions: {error}"
        ) from None
    try:
        spend_model: clv.GammaGamma | None = clv.fit_gamma_gamma(data.frequency, data.average_spend)
    except clv.FitError:
        spend_model = None
    p_alive = bgnbd.p_alive(data.frequency, data.recency, data.age)
    purchases = bgnbd.expected_purchases(days / WEEK, data.frequency, data.recency, data.age)
    value = _value(bgnbd, spend_model, days, data, rate)
    model = _model(currency, days, data, bgnbd, spend_model, now)
    model.discount_rate = rate
    model.comparison = value_models.compare(data, split(history, now.date()), {"bgnbd": bgnbd})
    session.add(model)
    session.execute(sa.delete(CustomerValue))
    rows = [
        {
            "customer_id": customer_id,
            "currency": currency,
            "frequency": int(data.frequency[i]),
            "recency_weeks": float(data.recency[i]),
            "age_weeks": float(data.age[i]),
            "average_spend": _money(data.average_spend[i]) if data.frequency[i] > 0 else None,
            "p_alive": float(p_alive[i]),
            "expected_purchases": float(purchases[i]),
            "expected_value": _money(value[i]) if value is not None else None,
            "churn_risk": churn_risk(float(p_alive[i])),
            "computed_at": now,
        }
        for i, customer_id in enumerate(data.customer_ids)
    ]
    # Plain executemany in batches: no RETURNING, so large refreshes stay fast.
    for start in range(0, len(rows), 5000):
        session.execute(sa.insert(CustomerValue), rows[start : start + 5000])
    session.flush()
    audit.record(
        session,
        "refresh",
        "marketing.value",
        None,
        after={"currency": currency, "customers": model.customers, "horizon_days": days},
        plugin="marketing",
        row_count=model.customers,
    )
    return model


def _value(bgnbd: Any, spend_model: Any, days: int, data: Summaries, rate: float) -> Any:
    """Each customer's discounted expected value, or ``None`` without a spend model."""
    from crm_marketing import value_models

    if spend_model is None:
        return None
    spend = spend_model.expected_spend(data.frequency, data.average_spend)
    return value_models.discounted_value(bgnbd, days / WEEK, data, spend, rate)


def _money(value: float) -> Decimal:
    return Decimal(f"{value:.2f}")


def refresh_job(job: Any) -> None:
    """The ``marketing.refresh_value`` job: refit and rebuild in the job's transaction.

    Too little history is not a failure worth retrying: the stored values stay as
    they were until a later refresh has enough purchases to fit.
    """
    try:
        refresh(
            job.session,
            job.args.get("currency") or DEFAULT_CURRENCY,
            job.args.get("horizon_days"),
            job.args.get("discount_rate"),
        )
    except HistoryError:
        return


def current_model(session: Session) -> ValueModel | None:
    """The newest fit, or ``None`` before the first refresh."""
    return session.scalar(sa.select(ValueModel).order_by(ValueModel.id.desc()).limit(1))


def of_customer(session: Session, customer_id: int) -> CustomerValue | None:
    """The customer's stored value, or ``None`` when they never bought."""
    return session.get(CustomerValue, customer_id)


def churn_counts(session: Session) -> dict[str, int]:
    """How many customers carry each churn risk (every risk listed, zero included)."""
    rows = session.execute(
        sa.select(CustomerValue.churn_risk, sa.func.count()).group_by(CustomerValue.churn_risk)
    )
    found = dict(rows.all())
    return {risk: int(found.get(risk, 0)) for risk in CHURN_RISKS}
