"""Customer pyramid, loyalty–value matrix and win-back segments, against hand-worked tables."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from crm_marketing import rfm, segments, winback
from crm_marketing.models import CustomerValue, RfmScore
from crm_marketing.rules import compile_rules

from crm_host.sdk import ValidationFailed, utcnow


@pytest.fixture
def ten_buyers(db, make_customer, buy):
    """Ten buyers: customer i spends 10·(i + 1) yuan in purchases = [1,1,1,2,2,2,2,3,3,3][i].

    As in test_rfm's table: F = [1,1,1,2,2,2,2,4,4,4], M = [1,1,2,2,3,3,4,4,5,5].
    """
    now = utcnow()
    people = [make_customer() for _ in range(10)]
    purchases = [1, 1, 1, 2, 2, 2, 2, 3, 3, 3]
    for i, customer in enumerate(people):
        total, count = Decimal(10 * (i + 1)), purchases[i]
        shares = [Decimal(1)] * (count - 1) + [total - (count - 1)]
        for n, share in enumerate(shares):
            buy(customer, f"{share:.2f}", now - timedelta(days=100 - 10 * i + count - 1 - n))
    return people


def test_tier_sizes_round_down():
    assert rfm.tier_sizes(1000, (1, 4, 15)) == [10, 50, 200]
    assert rfm.tier_sizes(10, (1, 4, 15)) == [0, 0, 2]
    assert rfm.tier_sizes(10, (10, 20, 30)) == [1, 3, 6]


def test_pyramid_and_quadrants_by_hand(app, db, ten_buyers, monkeypatch):
    """Shares 10 / 20 / 30 % of ten buyers end at places 1, 3 and 6 by spend:
    top c9; big c8, c7; medium c6, c5, c4; small c3 … c0.

    Loyal F ≥ 4: c7, c8, c9; valuable M ≥ 4: c6 … c9. So true friends c7, c8, c9;
    butterfly c6; no barnacle; strangers c0 … c5."""
    monkeypatch.setitem(app.config, "MARKETING_PYRAMID_SHARES", (10, 20, 30))
    with app.app_context():
        assert rfm.refresh(db) == 10
    got = [db.get(RfmScore, c.id) for c in ten_buyers]
    assert [s.pyramid for s in got] == ["small"] * 4 + ["medium"] * 3 + ["big"] * 2 + ["top"]
    assert [s.loyalty_value for s in got] == ["stranger"] * 6 + ["butterfly"] + ["true_friend"] * 3
    tiers = rfm.pyramid(db)
    assert [(t["tier"], t["customers"]) for t in tiers] == [
        ("top", 1),
        ("big", 2),
        ("medium", 3),
        ("small", 4),
    ]
    assert tiers[0]["monetary"] == Decimal("100.00")
    assert tiers[1]["monetary"] == Decimal("170.00")  # 90 + 80
    assert rfm.loyalty_value(db) == {"true_friend": 3, "barnacle": 0, "butterfly": 1, "stranger": 6}
    butterflies = compile_rules(
        db, {"all": [{"field": "loyalty_value", "op": "eq", "value": "butterfly"}]}
    )
    assert [c.id for c in segments.sample(db, butterflies)] == [ten_buyers[6].id]
    best = compile_rules(db, {"all": [{"field": "pyramid", "op": "in", "value": ["top", "big"]}]})
    assert segments.count(db, best) == 3


def test_default_pyramid_of_ten_buyers_has_only_medium_and_small(db, ten_buyers):
    rfm.refresh(db)
    assert [t["customers"] for t in rfm.pyramid(db)] == [0, 0, 2, 8]


def test_bad_pyramid_shares_are_refused_naming_the_setting(app, db, ten_buyers, monkeypatch):
    monkeypatch.setitem(app.config, "MARKETING_PYRAMID_SHARES", (50, 40, 20))
    with (
        app.app_context(),
        pytest.raises(ValueError, match="MARKETING_PYRAMID_SHARES needs three percents"),
    ):
        rfm.refresh(db)


def _value(customer_id: int, p_alive: float, risk: str) -> CustomerValue:
    return CustomerValue(
        customer_id=customer_id,
        currency="CNY",
        frequency=1,
        recency_weeks=1.0,
        age_weeks=9.0,
        p_alive=p_alive,
        expected_purchases=0.5,
        churn_risk=risk,
    )


def test_win_back_segment_follows_the_churn_risk(db, make_customer, api, cli):
    safe, wavering, gone = make_customer(), make_customer(), make_customer()
    db.add_all([_value(safe.id, 0.9, "low"), _value(wavering.id, 0.5, "medium")])
    db.add(_value(gone.id, 0.1, "high"))
    db.commit()
    segment = winback.create_winback_segment(db)
    db.commit()
    members = {c.id for c in segments.sample(db, segments.condition_for(db, segment), 10)}
    assert members == {wavering.id, gone.id}
    assert segment.name.startswith("Win-back ")
    # A second one the same day gets a number instead of clashing.
    assert winback.create_winback_segment(db).name == segment.name + " (2)"
    lapsed = api.post("/api/v1/marketing/value/win-back", json={"risks": ["high"], "name": "流失"})
    assert lapsed.status_code == 201 and lapsed.get_json()["name"] == "流失"
    assert api.post("/api/v1/marketing/value/win-back", json={"risks": ["gone"]}).status_code == 422
    out = cli("marketing", "analytics", "win-back", "--risk", "high", "--name", "只有流失").output
    assert out.endswith("只有流失: 1 customers\n")
    with pytest.raises(ValidationFailed):
        winback.create_winback_segment(db, [])


def test_pyramid_and_matrix_over_the_api_and_cli(db, ten_buyers, api, cli):
    rfm.refresh(db)
    db.commit()
    body = api.get("/api/v1/marketing/rfm/pyramid").get_json()
    assert [t["customers"] for t in body["tiers"]] == [0, 0, 2, 8]
    assert body["tiers"][2]["monetary"] == "190.00"
    quadrants = api.get("/api/v1/marketing/rfm/loyalty-value").get_json()["quadrants"]
    assert quadrants == {"true_friend": 3, "barnacle": 0, "butterfly": 1, "stranger": 6}
    lines = cli("marketing", "analytics", "pyramid").output.splitlines()
    assert lines[2] == "medium\t2\t190.00" and lines[4] == "true_friend\t3"
