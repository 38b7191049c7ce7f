"""Least-loaded assignment with capacities, next to round-robin, on hand-built loads."""

from __future__ import annotations

import pytest
from crm_sales import assignment, leads, pipeline
from crm_sales.models import AssignmentMethod, LeadStatus, OpportunityStatus

from crm_host.sdk import ValidationFailed


@pytest.fixture
def team(db, make_user, make_customer, sales_department):
    """Three sellers with loads built by hand (open leads + open opportunities):

    ann 3 (2 leads, 1 deal; capacity 3 — full), bob 1 (1 lead; a converted lead and a
    won deal do not count; capacity 5), cid 1 (1 deal; no capacity).
    """
    ann = make_user("ann", departments=["sales"], role="agent")
    bob = make_user("bob", departments=["sales"], role="agent")
    cid = make_user("cid", departments=["sales"], role="agent")
    make_user("vic", departments=["sales"], role="viewer")  # may not take leads
    customer = make_customer()

    def lead(owner, status=LeadStatus.NEW):
        made = leads.create_lead(
            db, {"name": "已有线索", "department": "sales", "owner_id": owner.id}
        )
        made.status = status

    def deal(owner, status=OpportunityStatus.OPEN):
        made = pipeline.create_opportunity(
            db, {"name": "已有商机", "customer_id": customer.id, "owner_id": owner.id}
        )
        made.status = status

    lead(ann)
    lead(ann, LeadStatus.QUALIFIED)
    deal(ann)
    lead(bob)
    lead(bob, LeadStatus.CONVERTED)
    deal(bob, OpportunityStatus.WON)
    deal(cid)
    assignment.set_capacity(db, ann.id, 3)
    assignment.set_capacity(db, bob.id, 5)
    assignment.set_method(db, sales_department.id, "least_loaded")
    db.commit()
    return ann, bob, cid


def test_loads_count_open_leads_and_opportunities(db, team):
    ann, bob, cid = team
    assert assignment.loads(db, [ann.id, bob.id, cid.id]) == {ann.id: 3, bob.id: 1, cid.id: 1}


def test_least_loaded_takes_the_lowest_load_below_capacity(db, team):
    ann, bob, cid = team

    def capture():
        return leads.create_lead(db, {"name": "新线索", "department": "sales"}).owner_id

    # bob 1 = cid 1: bob by name; then cid 1 < bob 2; then bob 2 = cid 2: bob again.
    assert [capture() for _ in range(3)] == [bob.id, cid.id, bob.id]
    # ann (3 of 3) never gets one, though round-robin would have given her two.
    assert assignment.loads(db, [ann.id, bob.id, cid.id]) == {ann.id: 3, bob.id: 3, cid.id: 2}


def test_when_everyone_is_full_the_lead_stays_unassigned_and_says_why(db, team, sales_department):
    ann, bob, cid = team
    assignment.set_capacity(db, bob.id, 1)
    assignment.set_capacity(db, cid.id, 1)
    lead = leads.create_lead(db, {"name": "满员", "department": "sales"})
    assert lead.owner_id is None
    assert lead.unassigned_reason == "every sales user of the department is at capacity"
    assignment.set_capacity(db, cid.id, None)  # lifting cid's cap frees a place
    assert assignment.choose_owner(db, sales_department.id) == (cid.id, None)


def test_round_robin_stays_the_default_and_ignores_capacity(db, team, sales_department):
    ann, bob, cid = team
    assignment.set_method(db, sales_department.id, "round_robin")
    owners = [
        leads.create_lead(db, {"name": f"轮流{i}", "department": "sales"}).owner_id
        for i in range(3)
    ]
    assert owners == [ann.id, bob.id, cid.id]
    assert assignment.method_for(db, 999999) is AssignmentMethod.ROUND_ROBIN


def test_bad_settings_are_refused(db, team, sales_department):
    ann, _, _ = team
    with pytest.raises(ValidationFailed) as refused:
        assignment.set_method(db, sales_department.id, "random")
    assert refused.value.details == {"method": ["One of round_robin, least_loaded."]}
    with pytest.raises(ValidationFailed) as refused:
        assignment.set_capacity(db, ann.id, -1)
    assert refused.value.details == {"capacity": ["From 0 to 100000."]}


def test_assignment_through_the_api(client_for, make_user, db, team, sales_department):
    ann, bob, cid = team
    admin = make_user("boss", departments=["sales"], admin=True)
    api = client_for(admin)
    url = f"/api/v1/sales/departments/{sales_department.id}/assignment"
    shown = api.get(url).json
    assert shown["method"] == "least_loaded"
    assert [(s["username"], s["open"], s["capacity"]) for s in shown["sellers"]] == [
        ("ann", 3, 3),
        ("bob", 1, 5),
        ("boss", 0, None),
        ("cid", 1, None),
    ]
    for seller in (bob, cid, admin):
        assert (
            api.post(f"/api/v1/sales/users/{seller.id}/capacity", json={"capacity": 1}).status_code
            == 200
        )
    captured = api.post("/api/v1/sales/leads", json={"name": "满员", "department": "sales"})
    assert captured.status_code == 201
    assert captured.json["owner_id"] == admin.id  # boss had 0 of 1
    full = api.post("/api/v1/sales/leads", json={"name": "满员2", "department": "sales"}).json
    assert full["owner_id"] is None
    assert full["unassigned_reason"] == "every sales user of the department is at capacity"
    assert api.post(url, json={"method": "random"}).status_code == 422
    seller = client_for(make_user("plain", departments=["sales"]))
    assert seller.post(url, json={"method": "round_robin"}).status_code == 403


def test_assignment_commands(cli, db, team):
    ann, bob, cid = team
    assert cli("sales", "assignment", "capacity", "cid", "4").exit_code == 0
    assert cli("sales", "assignment", "capacity", "bob", "none").exit_code == 0
    assert cli("sales", "assignment", "capacity", "bob", "many").exit_code != 0
    shown = cli("sales", "assignment", "show", "sales").output.splitlines()
    assert shown == ["method\tleast_loaded", "ann\t3\t3", "bob\t1\t-", "cid\t1\t4"]
    assert cli("sales", "assignment", "method", "sales", "round_robin").exit_code == 0
    assert cli("sales", "assignment", "show", "sales").output.startswith("method\tround_robin")
    assert cli("sales", "assignment", "show", "nowhere").exit_code != 0
