"""Opportunities: stage history and time in stage, won and lost, the forecast figures."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from crm_sales import forecast, pipeline
from crm_sales.models import OpportunityStatus, StageChange

from crm_host.sdk import ValidationFailed, hookimpl

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def open_deal(db, customer, **data):
    return pipeline.create_opportunity(db, {"name": "deal", "customer_id": customer.id, **data})


def test_time_in_stage_is_read_from_the_history(db, make_customer):
    deal = open_deal(db, make_customer(), amount="1000")
    first = db.scalar(sa.select(StageChange).where(StageChange.opportunity_id == deal.id))
    first.changed_at = T0
    stage = {s.code: s for s in pipeline.stages(db)}
    pipeline.change_stage(db, deal, stage["qualification"], at=T0 + timedelta(hours=2))
    pipeline.change_stage(db, deal, stage["proposal"], at=T0 + timedelta(hours=5))
    pipeline.change_stage(db, deal, stage["qualification"], at=T0 + timedelta(hours=6))
    # Still open: the current stage counts until "now".
    spent = pipeline.time_in_stage(db, deal, now=T0 + timedelta(hours=8))
    assert spent == {
        "prospecting": 7200.0,
        "qualification": 3 * 3600.0 + 2 * 3600.0,
        "proposal": 3600.0,
    }
    pipeline.change_stage(db, deal, stage["won"], at=T0 + timedelta(hours=10))
    # Won after 4 more hours in qualification; the winning stage itself counts nothing.
    spent = pipeline.time_in_stage(db, deal, now=T0 + timedelta(days=30))
    assert spent == {"prospecting": 7200.0, "qualification": 7 * 3600.0, "proposal": 3600.0}
    assert deal.status is OpportunityStatus.WON and deal.closed_at == T0 + timedelta(hours=10)
    assert len(pipeline.history(db, deal.id)) == 5


def test_losing_needs_a_reason_and_reopening_clears_it(db, make_customer):
    deal = open_deal(db, make_customer())
    with pytest.raises(ValidationFailed) as error:
        pipeline.lose(db, deal, None)
    assert error.value.details == {"lost_reason": ["Say why the deal was lost."]}
    pipeline.lose(db, deal, "价格太高")
    assert (deal.status, deal.lost_reason) == (OpportunityStatus.LOST, "价格太高")
    pipeline.change_stage(db, deal, pipeline.find_stage(db, "negotiation"))
    assert (deal.status, deal.lost_reason, deal.closed_at) == (OpportunityStatus.OPEN, None, None)


def test_a_new_deal_cannot_start_closed(db, make_customer):
    with pytest.raises(ValidationFailed, match="starts in an open stage"):
        open_deal(db, make_customer(), stage="won")


class WonListener:
    """Records the opportunities it is told were won, with the customers they concern."""

    def __init__(self):
        self.won = []

    @hookimpl
    def crm_sales_opportunity_won(self, opportunity_id, customer_ids):
        self.won.append((opportunity_id, customer_ids))


def test_winning_publishes_the_opportunity_won_event_after_commit(app, db, make_customer):
    listener = WonListener()
    plugins = app.extensions["crm"].plugins
    plugins.pm.register(listener, name="fx_won_listener")
    try:
        customer = make_customer()
        deal = open_deal(db, customer)
        db.commit()
        pipeline.change_stage(db, deal, pipeline.find_stage(db, "proposal"))
        pipeline.win(db, deal)
        assert listener.won == []  # not before the change is committed
        db.commit()
        assert listener.won == [(deal.id, [customer.id])]
    finally:
        plugins.pm.unregister(name="fx_won_listener")


def test_pipeline_and_forecast_figures(db, make_customer):
    customer = make_customer()
    open_deal(db, customer, amount="10000", expected_close=date(2026, 12, 15))
    open_deal(db, customer, amount="20000", stage="proposal", expected_close=date(2026, 12, 20))
    open_deal(
        db,
        customer,
        amount="5000",
        currency="USD",
        stage="negotiation",
        expected_close=date(2027, 1, 10),
    )
    open_deal(db, customer, amount="999.99", stage="qualification")
    won = open_deal(db, customer, amount="3000", stage="negotiation")
    pipeline.win(db, won)
    summary = {s.code: s for s in forecast.pipeline_summary(db)}
    assert (summary["prospecting"].count, summary["prospecting"].weighted) == (
        1,
        {"CNY": Decimal("1000.00")},  # 10000 × 10%
    )
    assert summary["proposal"].weighted == {"CNY": Decimal("10000.00")}  # 20000 × 50%
    assert summary["negotiation"].weighted == {"USD": Decimal("3750.00")}  # 5000 × 75%
    assert summary["qualification"].weighted == {"CNY": Decimal("250.00")}  # 999.99 × 25%
    assert summary["won"].count == 0  # closed deals are not pipeline
    assert forecast.open_value(db) == {"CNY": Decimal("30999.99"), "USD": Decimal("5000.00")}
    assert forecast.forecast(db) == [
        {
            "month": "2026-12",
            "currency": "CNY",
            "count": 2,
            "amount": Decimal("30000.00"),
            "weighted": Decimal("11000.00"),
        },
        {
            "month": "2027-01",
            "currency": "USD",
            "count": 1,
            "amount": Decimal("5000.00"),
            "weighted": Decimal("3750.00"),
        },
        {
            "month": None,
            "currency": "CNY",
            "count": 1,
            "amount": Decimal("999.99"),
            "weighted": Decimal("250.00"),
        },
    ]
