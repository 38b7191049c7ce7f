"""Every demo user follows every menu entry and every link to a detail page, and
submits every form found with valid and with invalid data: no answer is a 500."""

from __future__ import annotations

import pytest

from crm_host.demo.seed import DEMO_USERS
from crm_host.domain.customers import children, service
from crm_host.records import timeline
from crm_host.testing.console import crawl


@pytest.fixture
def demo_company(db, make_user):
    """The demo users, and customers with something on every part of the 360° view."""
    users = {}
    for username, (_name, departments, role, admin) in DEMO_USERS.items():
        users[username] = make_user(username, departments=list(departments), role=role, admin=admin)
    for n in range(3):
        customer = service.create_customer(
            db,
            {
                "code": f"CR{n}",
                "name": f"客户{n}",
                "kind": "organization",
                "tags": ["vip"],
                "departments": ["sales", "service"],
            },
        )
        children.add_child(db, "contact", customer, {"name": f"联系人{n}"})
        children.add_child(db, "address", customer, {"line1": f"路{n}号", "kind": "billing"})
        timeline.add_entry(db, customer_id=customer.id, channel="phone", subject="回访")
    db.commit()
    return users


@pytest.mark.parametrize("username", sorted(DEMO_USERS))
def test_crawl_as_every_demo_user_finds_no_500(demo_company, client_for, username):
    client = client_for(demo_company[username])
    # Exports are downloads, not pages; opening them all only costs time.
    report = crawl(client, "/", skip=lambda path: "/export" in path)
    assert report.failures == []
    assert len(report.pages) >= 2
    if username == "admin":
        assert report.submissions > 50
        assert any(path.startswith("/customers/") for path in report.pages)
