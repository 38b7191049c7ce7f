"""How the pipeline performs: the stage funnel, win rate and sales-cycle length.

Read from the stage history, so a deal that skipped a stage still counts as having
passed it: a deal *reached* a stage when it ever stood in that stage or a later
open (or winning) one.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_sales.models import Opportunity, OpportunityStatus, Stage, StageChange


@dataclass
class FunnelStep:
    """One stage of the funnel: deals that reached it, and the share of the step before."""

    code: str
    reached: int
    conversion: Decimal | None


def funnel(session: Session) -> list[FunnelStep]:
    """Deals reaching each stage in board order (losing stages left out), with the
    conversion from the previous step rounded to four places."""
    stages = list(
        session.scalars(
            sa.select(Stage).where(Stage.is_lost.is_(False)).order_by(Stage.position, Stage.id)
        )
    )
    position = {s.id: s.position for s in stages}
    furthest: dict[int, int] = {}
    for opportunity_id, stage_id in session.execute(
        sa.select(StageChange.opportunity_id, StageChange.to_stage_id)
    ):
        if stage_id in position:
            furthest[opportunity_id] = max(furthest.get(opportunity_id, -1), position[stage_id])
    steps: list[FunnelStep] = []
    for stage in stages:
        reached = sum(1 for p in furthest.values() if p >= stage.position)
        previous = steps[-1].reached if steps else None
        conversion = (
            (Decimal(reached) / Decimal(previous)).quantize(Decimal("0.0001")) if previous else None
        )
        steps.append(FunnelStep(stage.code, reached, conversion))
    return steps


def win_rate(session: Session) -> Decimal | None:
    """Won deals over closed deals (won + lost), four places; ``None`` when none closed."""
    counts = dict(
        session.execute(
            sa.select(Opportunity.status, sa.func.count())
            .where(Opportunity.status != OpportunityStatus.OPEN)
            .group_by(Opportunity.status)
        ).all()
    )
    won = counts.get(OpportunityStatus.WON, 0)
    closed = won + counts.get(OpportunityStatus.LOST, 0)
    return (Decimal(won) / Decimal(closed)).quantize(Decimal("0.0001")) if closed else None


def average_cycle_days(session: Session) -> Decimal | None:
    """Mean days from opening to winning, over won deals, one decimal place."""
    spans = [
        (closed - created).total_seconds() / 86400
        for created, closed in session.execute(
            sa.select(Opportunity.created_at, Opportunity.closed_at).where(
                Opportunity.status == OpportunityStatus.WON
            )
        )
    ]
    if not spans:
        return None
    return Decimal(str(sum(spans) / len(spans))).quantize(Decimal("0.1"))
