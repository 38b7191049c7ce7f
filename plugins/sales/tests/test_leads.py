"""Leads: the status flow, rule-based scoring, round-robin assignment, duplicates."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from crm_sales import assignment, leads, scoring
from crm_sales.models import AssignmentCursor, LeadStatus

from crm_host.sdk import ValidationFailed
from crm_host.testing.tables import OutboxEvent


def test_scoring_adds_the_points_of_every_matching_rule(db):
    for field, operator, value, points in [
        ("source", "equals", "Referral", 30),
        ("email", "endswith", "@hengli.cn", 20),
        ("company", "present", "", 10),
        ("campaign", "equals", "2026-expo", 15),
        ("phone", "present", "", -5),
    ]:
        scoring.add_rule(
            db, {"field": field, "operator": operator, "value": value, "points": points}
        )
    lead = leads.create_lead(
        db,
        {"name": "李雷", "company": "恒力", "email": "LI@HENGLI.CN", "source": "referral"},
    )
    # referral (equals, any case) 30 + domain 20 + company present 10; no campaign, no phone.
    assert lead.score == 60
    leads.update_lead(db, lead, {"phone": "13812345678", "source": "web"})
    # 60 - 30 (source is web now) - 5 (a phone) = 25
    assert lead.score == 25


def test_a_bad_scoring_rule_is_refused_field_by_field(db):
    with pytest.raises(ValidationFailed) as error:
        scoring.add_rule(db, {"field": "salary", "operator": "like", "points": 5000})
    assert set(error.value.details) == {"field", "operator", "points"}


def test_leads_go_round_robin_to_the_departments_sales_users(db, make_user, sales_department):
    ann = make_user("ann", departments=["sales"], role="agent")
    bob = make_user("bob", departments=["sales"], role="agent")
    make_user("vic", departments=["sales"], role="viewer")  # may not write leads
    make_user("sam", departments=["service"], role="agent")  # another department
    cid = make_user("cid", departments=["sales"], role="agent")
    owners = [
        leads.create_lead(db, {"name": f"线索{i}", "department": "sales"}).owner_id
        for i in range(5)
    ]
    assert owners == [ann.id, bob.id, cid.id, ann.id, bob.id]
    cursor = db.get(AssignmentCursor, sales_department.id)
    assert cursor.last_user_id == bob.id
    # A named owner is kept and does not take a turn.
    kept = leads.create_lead(db, {"name": "指定", "department": "sales", "owner_id": cid.id})
    assert kept.owner_id == cid.id
    assert assignment.next_owner(db, sales_department.id) == cid.id


def test_a_department_without_sales_users_leaves_the_lead_unassigned(db):
    lead = leads.create_lead(db, {"name": "无人", "department": "marketing"})
    assert lead.owner_id is None


def test_the_status_flow(db):
    lead = leads.create_lead(db, {"name": "王芳"})
    assert lead.status is LeadStatus.NEW
    leads.set_status(db, lead, "contacted")
    with pytest.raises(ValidationFailed, match="convert the lead"):
        leads.set_status(db, lead, "converted")
    with pytest.raises(ValidationFailed) as missing:
        leads.set_status(db, lead, "disqualified")
    assert missing.value.details == {"reason": ["Say why the lead is disqualified."]}
    leads.set_status(db, lead, "disqualified", reason="预算不足")
    assert (lead.status, lead.disqualified_reason) == (LeadStatus.DISQUALIFIED, "预算不足")
    with pytest.raises(ValidationFailed, match="a disqualified lead cannot become qualified"):
        leads.set_status(db, lead, "qualified")
    leads.set_status(db, lead, "new")
    assert lead.disqualified_reason is None
    with pytest.raises(ValidationFailed, match="only a qualified lead"):
        leads.convert(db, lead, {})


def test_converting_into_an_existing_customer_found_as_a_duplicate(db, make_customer):
    existing = make_customer(name="王芳", email="wang.fang@example.cn")
    lead = leads.create_lead(db, {"name": "王芳", "email": "Wang.Fang@example.cn"})
    assert [c.id for c in leads.duplicates(db, lead)] == [existing.id]
    leads.set_status(db, lead, "qualified")
    customer, opportunity = leads.convert(db, lead, {"customer_id": existing.id, "amount": "5000"})
    assert customer.id == existing.id
    assert (opportunity.customer_id, str(opportunity.amount)) == (existing.id, "5000.00")
    assert lead.customer_id == existing.id and lead.status is LeadStatus.CONVERTED
    # The event says whom it concerns, so journeys can start from it without sales' tables.
    assert db.scalars(
        sa.select(OutboxEvent.payload).where(OutboxEvent.name == "crm_sales_lead_converted")
    ).all() == [
        {
            "lead_id": lead.id,
            "customer_id": existing.id,
            "opportunity_id": opportunity.id,
            "customer_ids": [existing.id],
        }
    ]
    with pytest.raises(ValidationFailed, match="converted lead cannot change"):
        leads.update_lead(db, lead, {"name": "x"})
