"""Win-back: a segment of the customers the value model says are slipping away.

The segment is a rule segment on the stored churn risk, so it follows each refresh:
a customer who buys again and whose risk falls leaves it by themselves. ``medium``
risk is "at risk", ``high`` is "lapsed".
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.sdk import User, ValidationFailed
from crm_marketing import segments
from crm_marketing.i18n import translate
from crm_marketing.lifetime_value import CHURN_RISKS
from crm_marketing.models import Segment

DEFAULT_RISKS = ("medium", "high")


def rules_for(risks: Sequence[str]) -> dict[str, object]:
    """The rule tree of customers carrying one of ``risks``."""
    return {"all": [{"field": "churn_risk", "op": "in", "value": list(risks)}]}


def create_winback_segment(
    session: Session,
    risks: Sequence[str] = DEFAULT_RISKS,
    name: str | None = None,
    *,
    actor: User | None = None,
) -> Segment:
    """A rule segment of the at-risk (``medium``) and lapsed (``high``) customers.

    Without a name it is called "Win-back <today>", numbered when that is taken.
    """
    unknown = [r for r in risks if r not in CHURN_RISKS]
    if not risks or unknown:
        raise ValidationFailed(
            "the churn risks are not valid",
            details={"risks": ["Choose from: " + ", ".join(CHURN_RISKS) + "."]},
        )
    if name is None:
        base = translate("Win-back %(day)s", day=date.today().isoformat())
        name, n = base, 1
        while session.scalar(sa.select(Segment.id).where(Segment.name == name)) is not None:
            n += 1
            name = f"{base} ({n})"
    wanted = [r for r in CHURN_RISKS if r in risks]
    return segments.create_segment(
        session,
        {
            "name": name,
            "description": translate("Customers at churn risk: %(risks)s", risks=", ".join(wanted)),
            "rules": rules_for(wanted),
        },
        actor=actor,
    )
