"""Earning and redeeming points: the welcome bonus, won deals, redemption limits."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from crm_host.sdk import ValidationFailed, customer_events
from crm_host.testing.tables import OutboxEvent
from crm_loyalty import points


@pytest.mark.hookspec("crm_customers_created")
def test_a_new_customer_gets_the_welcome_bonus_once(db, make_customer):
    customer = make_customer()
    assert points.account_of(db, customer.id).balance == points.WELCOME_BONUS
    assert points.welcome(db, [customer.id]) == 0  # a second delivery adds nothing
    assert points.account_of(db, customer.id).balance == points.WELCOME_BONUS


def test_a_won_deal_earns_a_point_per_ten_units(db, make_customer):
    from crm_sales import pipeline

    customer = make_customer()
    deal = pipeline.create_opportunity(
        db, {"name": "年卡", "customer_id": customer.id, "amount": "1234.50"}
    )
    db.commit()
    pipeline.win(db, deal)
    db.commit()
    account = points.account_of(db, customer.id)
    assert account.balance == points.WELCOME_BONUS + 123
    assert points.points_for_amount(Decimal("9.99")) == 0


def test_redeeming_more_than_the_balance_is_refused(db, make_customer):
    customer = make_customer()
    points.move(db, customer.id, -60, "Gift card")
    with pytest.raises(ValidationFailed, match="holds 40 points and cannot redeem 50"):
        points.move(db, customer.id, -50, "Gift card")
    assert points.account_of(db, customer.id).balance == 40


@pytest.mark.hookspec("crm_loyalty_points_redeemed")
def test_a_redemption_is_an_event_about_its_customer(app, db, make_customer):
    customer = make_customer()
    points.move(db, customer.id, 30, "Birthday")  # an award is no redemption
    movement = points.move(db, customer.id, -60, "Gift card")
    db.commit()
    payloads = db.scalars(
        sa.select(OutboxEvent.payload).where(OutboxEvent.name == "crm_loyalty_points_redeemed")
    ).all()
    assert payloads == [{"movement_id": movement.id, "points": 60, "customer_ids": [customer.id]}]
    # Declaring customer_ids and a label is all it takes to be offered to journeys.
    [event] = [
        e
        for e in customer_events(app.extensions["crm"].plugins)
        if e.name == "crm_loyalty_points_redeemed"
    ]
    assert (event.plugin, str(event.label.label)) == ("loyalty", "Points redeemed")
