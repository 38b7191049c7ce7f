"""The stage funnel, win rate and cycle length, against figures worked out by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from crm_sales import performance, pipeline

T0 = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)


def test_funnel_win_rate_and_cycle(db, api, make_customer):
    customer = make_customer()
    stage = {s.code: s for s in pipeline.stages(db)}

    def deal(path, start="prospecting", lost_reason=None):
        d = pipeline.create_opportunity(
            db, {"name": "d", "customer_id": customer.id, "stage": start}
        )
        d.created_at = T0
        for days, code in path:
            pipeline.change_stage(
                db, d, stage[code], at=T0 + timedelta(days=days), lost_reason=lost_reason
            )
        return d

    deal([(2, "qualification"), (5, "proposal"), (10, "won")])  # D1: won after 10 days
    deal([(3, "proposal"), (6, "lost")], lost_reason="预算")  # D2: skipped qualification
    deal([(1, "qualification")])  # D3: open
    deal([])  # D4: open, still prospecting
    deal([(4, "won")], start="negotiation")  # D5: won after 4 days
    db.commit()
    # Furthest open or winning stage: D1 won, D2 proposal, D3 qualification,
    # D4 prospecting, D5 won.
    assert [(s.code, s.reached, s.conversion) for s in performance.funnel(db)] == [
        ("prospecting", 5, None),
        ("qualification", 4, Decimal("0.8000")),
        ("proposal", 3, Decimal("0.7500")),
        ("negotiation", 2, Decimal("0.6667")),
        ("won", 2, Decimal("1.0000")),
    ]
    assert performance.win_rate(db) == Decimal("0.6667")  # 2 won of 3 closed
    assert performance.average_cycle_days(db) == Decimal("7.0")  # (10 + 4) / 2
    body = api.get("/api/v1/sales/performance").json
    assert (body["win_rate"], body["average_cycle_days"]) == ("0.6667", "7.0")
    assert [s["reached"] for s in body["funnel"]] == [5, 4, 3, 2, 2]


def test_funnel_command(cli, db):
    out = cli("sales", "funnel").output.splitlines()
    assert out[0] == "prospecting\t0\t-"
    assert out[-2:] == ["win rate\t-", "average cycle\t-"]
