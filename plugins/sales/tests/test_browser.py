"""The sales console in a real browser: convert a lead, move its deal on the board with
the stage select, then drag its card to another stage."""

from __future__ import annotations

import re

import sqlalchemy as sa
from crm_sales import stages
from crm_sales.models import Opportunity, Stage, StageChange

from crm_host.sdk import Customer
from crm_host.testing import TEST_PASSWORD
from crm_host.testing.console import make_committed_user, sign_in


def test_convert_a_lead_and_move_its_deal(browser_page, committed_db):
    make_committed_user(committed_db, "sally", departments=["sales"], role="agent")
    # The committed tier empties every table after each test, seeded stages included.
    with committed_db.session() as session:
        stages.ensure_defaults(session)
        session.commit()
    page = browser_page
    sign_in(page, "sally", TEST_PASSWORD)
    page.goto("/sales/leads")
    form = page.locator("form#capture")
    form.locator("input[name=name]").fill("李雷")
    form.locator("input[name=company]").fill("苏州恒力钢铁")
    form.locator("input[name=source]").fill("expo")
    form.locator("button[type=submit]").click()
    row = page.locator("tr.lead", has_text="李雷")
    row.locator("button[value=qualified]").click()
    row = page.locator("tr.lead", has_text="李雷")
    row.locator("input[name=customer_code]").fill("HL-B1")
    row.locator("input[name=amount]").fill("88000")
    row.locator("form.convert button").click()
    page.wait_for_url(re.compile(r".*/customers/\d+$"))
    assert "苏州恒力钢铁" in page.inner_text("main")

    page.goto("/sales/")
    card = page.locator("li.deal", has_text="苏州恒力钢铁")
    card.locator("select[name=stage]").select_option("proposal")
    card.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/sales/$"))
    assert (
        page.locator('section[data-stage="proposal"] li.deal', has_text="苏州恒力钢铁").count() == 1
    )
    with committed_db.engine.connect() as connection:
        customer_id = connection.scalar(sa.select(Customer.id).where(Customer.code == "HL-B1"))
        stage_amount = connection.execute(
            sa.select(Opportunity.amount, Opportunity.status).where(
                Opportunity.customer_id == customer_id
            )
        ).one()
    assert (str(stage_amount[0]), stage_amount[1].value) == ("88000.00", "open")

    # Drag the card to the negotiation column: the move is posted like the select's.
    card = page.locator("li.deal", has_text="苏州恒力钢铁")
    # Picked up by its title: a drag starting on the form's controls would not move it.
    card.drag_to(
        page.locator('section[data-stage="negotiation"]'), source_position={"x": 4, "y": 4}
    )
    page.locator('section[data-stage="negotiation"] li.deal', has_text="苏州恒力钢铁").wait_for()
    with committed_db.engine.connect() as connection:
        deal_id, stage = connection.execute(
            sa.select(Opportunity.id, Stage.code)
            .join(Stage, Stage.id == Opportunity.stage_id)
            .where(Opportunity.customer_id == customer_id)
        ).one()
        history = connection.scalars(
            sa.select(Stage.code)
            .join(StageChange, StageChange.to_stage_id == Stage.id)
            .where(StageChange.opportunity_id == deal_id)
            .order_by(StageChange.id)
        ).all()
    assert stage == "negotiation"
    assert history == ["prospecting", "proposal", "negotiation"]
