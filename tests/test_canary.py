"""Canaries: no phone, ID number or address line reaches a user who may not reveal it.

The demo company's data, every object each GET route of the host and the four
built-ins names, then canary values on every customer, contact and address; every
GET route (API and console, exports, reports, the power report's PDF), the exports
in each format, the customer search and the caller lookup are called as each user
without ``host.customers.reveal``. The administrator, who may reveal, is the
positive control: the same scan finds the canaries in their answers.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
import sqlalchemy as sa

from crm_host.core.host import get_host
from crm_host.core.models import Customer
from crm_host.demo.data import generate_customers
from crm_host.demo.seed import DEMO_USERS, add_customers
from crm_host.domain.directory import create_role, create_user
from crm_host.testing.canary import TYPED_PHONE, CanaryScan, Request, get_routes
from crm_host.testing.host_objects import HOST_FACTORIES, HOST_PAYLOADS

PLUGINS = Path(__file__).parents[1] / "plugins"
#: Everything a manager may do except reveal: lists, exports, merges, privacy.
CLERK = ["*.read", "*.write", "*.delete", "*.merge", "*.import", "host.customers.privacy"]


def _matrix_module(plugin: str) -> ModuleType:
    """A plugin's permission-matrix factories (its tests are not a package)."""
    path = PLUGINS / plugin / "tests" / "test_permission_matrix.py"
    spec = importlib.util.spec_from_file_location(f"canary_matrix_{plugin}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _seed_demo(app, db) -> None:
    """The demo company's customers and every built-in's demo data."""
    add_customers(db, generate_customers(30))
    db.commit()
    for _name, function, argnames in get_host(app).plugins.implementations("crm_seed_demo"):
        function(**{a: {"session": db}[a] for a in argnames})
        db.commit()


def _users(db) -> dict[str, object]:
    """The demo users who may not reveal, clerks who may do all else, and the admin."""
    create_role(db, name="clerk", label="Clerk", permissions=[{"permission": p} for p in CLERK])
    users = {}
    for username, (name, departments, role, admin) in DEMO_USERS.items():
        users[username] = create_user(
            db,
            username=f"demo-{username}",
            name=name,
            password="canary-password-1",
            departments=departments,
            role=role,
            is_admin=admin,
        )
    codes = ["sales", "service", "marketing", "power"]
    for code in codes:
        users[f"{code}-clerk"] = create_user(
            db,
            username=f"clerk-{code}",
            password="canary-password-1",
            departments=[code],
            role="clerk",
        )
    users["clerk-everywhere"] = create_user(
        db, username="clerk-all", password="canary-password-1", departments=codes, role="clerk"
    )
    db.commit()
    return users


def _extra_requests(db) -> list[Request]:
    """Exports in every format (API and console), search and lookup by the canary."""
    requests = [
        Request(f"API export {fmt}", "/api/v1/customers/export", {"format": fmt})
        for fmt in ("csv", "jsonl", "xlsx")
    ]
    requests += [
        Request(
            f"API export {fmt} revealed",
            "/api/v1/customers/export",
            {"format": fmt, "reveal": "true"},
        )
        for fmt in ("csv", "jsonl", "xlsx")
    ]
    requests += [
        Request(f"console export {fmt}", "/customers/export", {"format": fmt})
        for fmt in ("csv", "jsonl", "xlsx")
    ]
    requests.append(
        Request(
            "console export xlsx revealed", "/customers/export", {"format": "xlsx", "reveal": "1"}
        )
    )
    customer_id = db.scalar(sa.select(sa.func.min(Customer.id)))
    requests += [
        Request("customer search by phone", "/api/v1/customers", {"q": TYPED_PHONE}),
        Request("console search by phone", "/customers/", {"q": TYPED_PHONE}),
        Request("caller lookup", "/api/v1/service/lookup", {"phone": TYPED_PHONE}),
        Request("console caller lookup", "/service/tickets/new", {"phone": TYPED_PHONE}),
        Request("privacy export", f"/api/v1/customers/{customer_id}/privacy-export"),
    ]
    return requests


@pytest.fixture
def scan(app, db) -> tuple[CanaryScan, dict[str, object]]:
    _seed_demo(app, db)
    users = _users(db)
    modules = {p: _matrix_module(p) for p in ("sales", "service", "industry_power", "marketing")}
    factories = {
        None: HOST_FACTORIES,
        "sales": modules["sales"].SALES_FACTORIES,
        "service": {**HOST_FACTORIES, **modules["service"].FACTORIES},
        "industry_power": modules["industry_power"].POWER_FACTORIES,
        "marketing": modules["marketing"].MARKETING_FACTORIES,
    }
    payloads = {
        **HOST_PAYLOADS,
        **modules["sales"].SALES_PAYLOADS,
        **modules["service"].PAYLOADS,
        **modules["industry_power"].POWER_PAYLOADS,
        **modules["marketing"].MARKETING_PAYLOADS,
        # The caller lookup asked for the canary itself.
        ("service_lookup.Lookup", "GET"): lambda s, o, n: {"phone": TYPED_PHONE},
    }
    canary = CanaryScan(app, db, factories, payloads)
    canary.prepare(users["admin"], get_routes(app))
    canary.requests += _extra_requests(db)
    return canary, users


def _sms_sent(app, db) -> Request:
    """A real SMS campaign send to a canary customer: the send keeps the number it used."""
    from crm_marketing import campaigns, segments, sending

    from crm_host.domain.customers.consent import record_consent

    with app.app_context():
        customer = db.scalars(sa.select(Customer).order_by(Customer.id)).first()
        record_consent(db, customer, channel="sms", granted=True, source="canary")
        segment = segments.create_segment(db, {"name": "金丝雀名单", "kind": "static"})
        campaign = campaigns.create_campaign(
            db, {"name": "金丝雀短信", "channel": "sms", "segment_id": segment.id, "body": "您好"}
        )
        assert sending.send_one(db, campaign, customer.id) == "sent"
        db.commit()
    return Request("SMS campaign sends", f"/api/v1/marketing/campaigns/{campaign.id}/sends")


#: The requests a clerk in every department must get a 2xx for: the scan reached them.
MUST_ANSWER = (
    "API export csv",
    "API export jsonl",
    "API export xlsx",
    "console export csv",
    "console export xlsx",
    "caller lookup",
    "console caller lookup",
    "customer search by phone",
    "SMS campaign sends",
    "GET /api/v1/customers/<id:customer_id>",
    "GET /api/v1/customers/<id:customer_id>/addresses",
    "GET /api/v1/customers/<id:customer_id>/contacts",
    "GET /api/v1/customers/duplicates",
    "GET /customers/<id:customer_id>",
    "GET /customers/<id:customer_id>/edit",
    "GET /customers/merge",
    "GET /api/v1/sales/leads/<id:lead_id>/duplicates",
    "GET /api/v1/service/tickets/<id:ticket_id>",
    "GET /power/customers/<int:customer_id>/report",
    "GET /power/customers/<int:customer_id>/report.pdf",
    "GET /api/v1/power/customers/<id:customer_id>/report",
)
#: Where the administrator (who may reveal) must see canaries: the positive control.
ADMIN_SEES = {
    "GET /api/v1/customers/<id:customer_id>": ("customer phone", "ID number"),
    "GET /api/v1/customers/<id:customer_id>/addresses": ("address line1", "address line2"),
    "GET /api/v1/customers/<id:customer_id>/contacts": ("contact phone",),
    "GET /customers/<id:customer_id>": ("customer phone", "address line1", "contact phone"),
    "API export csv revealed": ("customer phone", "ID number"),
    "API export jsonl revealed": ("customer phone", "ID number"),
    "API export xlsx revealed": ("customer phone", "ID number"),
    "console export xlsx revealed": ("customer phone", "ID number"),
    "privacy export": ("customer phone", "contact phone", "address line1"),
    "caller lookup": ("customer phone",),
    "SMS campaign sends": ("customer phone",),
}


def test_no_canary_reaches_a_user_without_reveal(app, scan):
    canary, users = scan
    assert canary.unreachable == []
    canary.requests.append(_sms_sent(app, canary.session))
    assert len(canary.requests) >= 180
    blind = ["viewer", "sales-clerk", "service-clerk", "marketing-clerk", "power-clerk"]
    blind.append("clerk-everywhere")
    leaks, answered = canary.run({k: users[k] for k in [*blind, "admin"]})
    assert "\n".join(x for x in leaks if not x.startswith("admin:")) == ""
    # The scan reached what matters, as a clerk in every department.
    everywhere = set(answered["clerk-everywhere"])
    assert [label for label in MUST_ANSWER if label not in everywhere] == []
    assert len(everywhere) >= 150
    # Unmasked by nature, so refused without reveal: the privacy export, revealed exports.
    refused = {"privacy export", "API export xlsx revealed", "console export xlsx revealed"}
    assert refused & everywhere == set()
    # The positive control: the administrator sees the canaries the others may not;
    # a plain export is masked for them too.
    seen = {x.split(" → ")[0].removeprefix("admin: "): x for x in leaks if x.startswith("admin:")}
    for label, canaries in ADMIN_SEES.items():
        assert all(name in seen.get(label, "") for name in canaries), (label, seen.get(label))
    assert not {"API export csv", "API export xlsx", "console export xlsx"} & seen.keys()


def test_the_detector_reads_every_form_and_passes_masked_values():
    import io
    import json

    import weasyprint
    from openpyxl import Workbook

    from crm_host.core.sensitive import mask
    from crm_host.testing.canary import (
        ADDRESS_LINE1,
        CONTACT_PHONE,
        CUSTOMER_PHONE,
        ID_NUMBER,
        body_text,
        exposed,
    )

    pdf = weasyprint.HTML(string=f"<p>电话 {CUSTOMER_PHONE}</p>").write_pdf()
    assert exposed(body_text(pdf, "application/pdf")) == [f"customer phone ({CUSTOMER_PHONE})"]
    book = Workbook()
    book.active.append(["id", ID_NUMBER])
    sheet = io.BytesIO()
    book.save(sheet)
    assert exposed(body_text(sheet.getvalue(), "application/octet-stream")) == [
        f"ID number ({ID_NUMBER})"
    ]
    escaped = json.dumps({"line1": ADDRESS_LINE1}).encode()  # \\u escapes
    assert exposed(body_text(escaped, "application/json")) == [f"address line1 ({ADDRESS_LINE1})"]
    # Bare digits, a local form with separators, the last eight digits.
    assert exposed("tel:8613964203751") == ["customer phone (8613964203751)"]
    assert exposed("158-7049-3621") == ["contact phone (70493621)"]
    assert exposed("&#26469;139 6420 3751") == ["customer phone (64203751)"]
    # What the host's mask leaves is no leak.
    masked = " ".join(mask(v) for v in (CUSTOMER_PHONE, CONTACT_PHONE, ID_NUMBER, ADDRESS_LINE1))
    assert exposed(body_text(masked.encode(), "text/html")) == []
