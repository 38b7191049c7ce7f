"""Tickets carry a version: ETag on reads, If-Match on every write to the ticket."""

from __future__ import annotations

import pytest

from crm_host.testing.versions import assert_if_match_protocol, read_etag

API = "/api/v1/service"


@pytest.fixture
def api(client_for, make_user):
    return client_for(make_user("svc-versions", departments=["service"]))


@pytest.fixture
def ticket_url(api, customer):
    body = {"customer_id": customer.id, "ticket_type": "fault_repair", "subject": "停电"}
    opened = api.post(f"{API}/tickets", json=body)
    assert opened.status_code == 201, opened.json
    return f"{API}/tickets/{opened.json['id']}"


def test_ticket_patch_honours_if_match(api, app, ticket_url):
    assert read_etag(api, ticket_url)[0].endswith('.1"')
    assert_if_match_protocol(
        api,
        app,
        ticket_url,
        write=("PATCH", ticket_url),
        bodies=[{"priority": "high"}, {"priority": "urgent"}, {"priority": "low"}],
    )
    assert api.get(ticket_url).json["priority"] == "low"


def test_ticket_transitions_and_assignment_honour_if_match(api, app, ticket_url, agent):
    assert_if_match_protocol(
        api,
        app,
        ticket_url,
        write=("POST", f"{ticket_url}/transitions"),
        bodies=[{"status": "in_progress"}, {"status": "waiting_on_customer"}],
    )
    assert api.get(ticket_url).json["status"] == "waiting_on_customer"
    assert_if_match_protocol(
        api,
        app,
        ticket_url,
        write=("PUT", f"{ticket_url}/assignment"),
        bodies=[{"assignee_id": agent.id}, {"assignee_id": None}, {"assignee_id": agent.id}],
    )
    assert api.get(ticket_url).json["assignee_id"] == agent.id


def test_a_claim_raises_the_version_and_honours_if_match(api, ticket_url):
    etag, _ = read_etag(api, ticket_url)
    stale = api.post(f"{ticket_url}/claim", headers={"If-Match": etag.replace('.1"', '.0"')})
    assert stale.status_code == 412
    assert api.get(ticket_url).json["assignee_id"] is None
    claimed = api.post(f"{ticket_url}/claim", headers={"If-Match": etag})
    assert claimed.status_code == 200
    # The claim is one Core UPDATE: it raises the version itself.
    assert read_etag(api, ticket_url)[0] == etag.replace('.1"', '.2"')


def test_the_status_form_refuses_a_stale_version_and_says_so(client_for, agent, db, customer):
    from crm_service import tickets

    ticket = tickets.open_ticket(db, customer_id=customer.id, ticket_type="inquiry", subject="查")
    tickets.claim(db, ticket.id, agent)
    db.commit()
    console = client_for(agent)
    url = f"/service/tickets/{ticket.id}"
    db.refresh(ticket)
    version = ticket.version
    assert f'name="version" value="{version}"' in console.get(url).get_data(as_text=True)
    tickets.update_ticket(db, ticket, {"priority": "urgent"})
    db.commit()
    page = console.post(
        f"{url}/status",
        data={"status": "in_progress", "version": str(version)},
        follow_redirects=True,
    )
    assert "Someone else changed this record" in page.get_data(as_text=True)
    db.refresh(ticket)
    assert ticket.status == "assigned"
    moved = console.post(f"{url}/status", data={"status": "in_progress", "version": ticket.version})
    assert moved.status_code == 302
    db.refresh(ticket)
    assert ticket.status == "in_progress"
