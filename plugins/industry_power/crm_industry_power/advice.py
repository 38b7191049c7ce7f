"""Energy-saving and grid-upgrade advice: rules over an account's recent load.

Each rule looks at a :class:`~crm_industry_power.loadcurve.PeriodSummary` and, when it
applies, gives figures and, where the tariff allows, the saving per month
(30 days) on the customer's own prices:

* ``capacity_reduction`` — the maximum demand stays below ``low_utilisation`` (40 %)
  of the contracted capacity: contract ``recommended_kva`` instead, the maximum over
  ``target_utilisation`` (70 %) rounded up to ``capacity_step`` (50 kVA); the saving is
  the basic charge of the difference: (contracted − recommended) × capacity price.
* ``grid_upgrade`` — the maximum demand exceeds ``high_utilisation`` (90 %) of the
  contracted capacity: the line or transformer needs upgrading to ``recommended_kva``
  (same sizing); no saving, a risk.
* ``shift_to_valley`` — peak energy is more than ``peak_share`` (30 %) of the total:
  moving ``shift_share`` (10 %) of the peak energy to valley hours saves
  shifted kWh × (peak price − valley price), scaled to 30 days.
* ``low_load_factor`` — the average daily load factor is below ``low_load_factor``
  (0.5): a peaky load; levelling it lowers the maximum demand.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.sdk import utcnow
from crm_industry_power.loadcurve import PeriodSummary, summarise
from crm_industry_power.models import Account, Advice

CENTS = Decimal("0.01")


@dataclass(frozen=True)
class Rules:
    """Thresholds of the advice rules (fractions, kVA, days)."""

    low_utilisation: float = 0.40
    high_utilisation: float = 0.90
    target_utilisation: float = 0.70
    capacity_step: int = 50
    peak_share: float = 0.30
    shift_share: float = 0.10
    low_load_factor: float = 0.50
    window_days: int = 30


@dataclass(frozen=True)
class Finding:
    """One piece of advice before it is stored."""

    rule: str
    kind: str  # "saving" or "upgrade"
    figures: dict[str, Any]
    monthly_saving: Decimal | None = None
    currency: str | None = None


def recommended_kva(max_kw: float, rules: Rules) -> int:
    """The capacity that puts ``max_kw`` at the target utilisation, in whole steps."""
    return math.ceil(max_kw / rules.target_utilisation / rules.capacity_step) * rules.capacity_step


def evaluate(account: Account, summary: PeriodSummary, rules: Rules = Rules()) -> list[Finding]:
    """The advice the rules give for ``account`` over ``summary``."""
    findings: list[Finding] = []
    if summary.max_kw is None or summary.days == 0:
        return findings
    tariff = account.tariff
    contracted = float(account.contracted_kva)
    utilisation = summary.max_kw / contracted
    base = {
        "max_kw": round(summary.max_kw, 3),
        "contracted_kva": contracted,
        "utilisation": round(utilisation, 4),
        "days": summary.days,
    }
    if utilisation < rules.low_utilisation:
        recommended = recommended_kva(summary.max_kw, rules)
        if recommended < contracted:
            saving = None
            if tariff is not None and tariff.capacity_price is not None:
                saving = (
                    (Decimal(str(contracted)) - recommended) * tariff.capacity_price
                ).quantize(CENTS, ROUND_HALF_UP)
            findings.append(
                Finding(
                    "capacity_reduction",
                    "saving",
                    {**base, "recommended_kva": recommended},
                    saving,
                    tariff.currency if saving is not None and tariff else None,
                )
            )
    if utilisation > rules.high_utilisation:
        findings.append(
            Finding(
                "grid_upgrade",
                "upgrade",
                {
                    **base,
                    "recommended_kva": max(recommended_kva(summary.max_kw, rules), contracted),
                },
            )
        )
    total = summary.energy_kwh
    peak = summary.energy_by_period.get("peak", Decimal(0))
    if tariff is not None and total > 0 and peak / total > Decimal(str(rules.peak_share)):
        difference = tariff.peak_price - tariff.valley_price
        if difference > 0:
            shifted = peak * Decimal(str(rules.shift_share))
            saving = (shifted * difference * 30 / summary.days).quantize(CENTS, ROUND_HALF_UP)
            findings.append(
                Finding(
                    "shift_to_valley",
                    "saving",
                    {
                        "peak_share": round(float(peak / total), 4),
                        "shifted_kwh": str(shifted.quantize(Decimal("0.001"))),
                        "price_difference": str(difference),
                        "days": summary.days,
                    },
                    saving,
                    tariff.currency,
                )
            )
    if summary.avg_load_factor is not None and summary.avg_load_factor < rules.low_load_factor:
        findings.append(
            Finding(
                "low_load_factor",
                "saving",
                {"load_factor": round(summary.avg_load_factor, 4), "days": summary.days},
            )
        )
    return findings


def refresh(
    session: Session, account: Account, last: date, tz: ZoneInfo, rules: Rules = Rules()
) -> list[Advice]:
    """Recompute the account's advice over the window ending on ``last``; replaces the old."""
    first = date.fromordinal(last.toordinal() - rules.window_days + 1)
    summary = summarise(session, account, first, last, tz)
    session.execute(sa.delete(Advice).where(Advice.account_id == account.id))
    now = utcnow()
    rows = [
        Advice(
            account_id=account.id,
            rule=f.rule,
            kind=f.kind,
            first_day=first,
            last_day=last,
            figures=f.figures,
            monthly_saving=f.monthly_saving,
            currency=f.currency,
            computed_at=now,
        )
        for f in evaluate(account, summary, rules)
    ]
    session.add_all(rows)
    session.flush()
    return rows


def stored(session: Session, account_id: int | None = None, limit: int = 500) -> list[Advice]:
    """Stored advice, the largest savings first (upgrades before savings)."""
    query = sa.select(Advice).order_by(
        Advice.kind.desc(), Advice.monthly_saving.desc().nulls_last(), Advice.id
    )
    if account_id is not None:
        query = query.where(Advice.account_id == account_id)
    return list(session.scalars(query.limit(limit)))


def as_dict(finding: Finding) -> dict[str, Any]:
    """A finding as plain data."""
    return asdict(finding)
