"""Rule-based lead scoring: each active rule that matches a lead adds its points.

Rules are rows (``sales_scoring_rules``) an administrator configures: a lead field,
an operator and a value. Scores are recomputed whenever a lead's fields change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.sdk.validation import Errors, fail_if, text
from crm_sales.models import Lead, ScoringRule

FIELDS = ("source", "campaign", "company", "email", "phone", "name")
#: ``present``: the field has a value; ``equals``: equal ignoring case;
#: ``endswith``: ends with the value ignoring case (an email's domain).
OPERATORS = ("present", "equals", "endswith")


def matches(rule: ScoringRule, lead: Lead) -> bool:
    """Whether ``rule`` holds for ``lead``."""
    value = getattr(lead, rule.field, None)
    if rule.operator == "present":
        return bool(value)
    if not value:
        return False
    actual, expected = str(value).casefold(), rule.value.casefold()
    if rule.operator == "equals":
        return actual == expected
    return actual.endswith(expected)


def score(rules: Iterable[ScoringRule], lead: Lead) -> int:
    """The sum of the points of the rules that match ``lead``."""
    return sum(rule.points for rule in rules if rule.active and matches(rule, lead))


def active_rules(session: Session) -> list[ScoringRule]:
    """The rules in force, in the order they were made."""
    return list(
        session.scalars(
            sa.select(ScoringRule).where(ScoringRule.active.is_(True)).order_by(ScoringRule.id)
        )
    )


def rescore(session: Session, lead: Lead) -> int:
    """Recompute and store ``lead``'s score; returns it."""
    lead.score = score(active_rules(session), lead)
    return lead.score


def add_rule(session: Session, data: Mapping[str, Any]) -> ScoringRule:
    """Add a scoring rule; ``ValidationFailed`` names each bad field."""
    errors: Errors = {}
    field = data.get("field")
    operator = data.get("operator")
    if field not in FIELDS:
        errors["field"] = ["One of: " + ", ".join(FIELDS) + "."]
    if operator not in OPERATORS:
        errors["operator"] = ["One of: " + ", ".join(OPERATORS) + "."]
    value = text(data.get("value"), "value", errors, max_length=200) or ""
    if operator in ("equals", "endswith") and not value:
        errors["value"] = [f"Required with {operator}."]
    points = data.get("points")
    if not isinstance(points, int) or isinstance(points, bool) or not -1000 <= points <= 1000:
        errors["points"] = ["A whole number from -1000 to 1000."]
    fail_if(errors, "the scoring rule is not valid")
    rule = ScoringRule(field=field, operator=operator, value=value, points=points, active=True)
    session.add(rule)
    session.flush()
    return rule


def rescore_all(session: Session) -> int:
    """Recompute the score of every lead still being worked (after the rules changed);
    returns how many changed. Converted and disqualified leads keep theirs."""
    rules = active_rules(session)
    changed = 0
    open_statuses = ("new", "contacted", "qualified")
    for lead in session.scalars(sa.select(Lead).where(Lead.status.in_(open_statuses))):
        new = score(rules, lead)
        if new != lead.score:
            lead.score = new
            changed += 1
    session.flush()
    return changed
