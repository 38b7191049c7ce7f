"""Subject-access export and erasure across the host and plugins; consent history."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from crm_host.core.host import get_host
from crm_host.core.models import Customer
from crm_host.domain.customers import children, consent, privacy, service
from crm_host.domain.customers.merge import merge_customers
from crm_host.domain.directory import create_user
from crm_host.plugins.facade import order_plugins
from crm_host.records import timeline
from crm_host.records.notifications import notify

PERSONAL = [
    "张伟",
    "zhang.wei@example.cn",
    "+8613912345678",
    "李秘书",
    "li.ms@example.cn",
    "幸福路 88 号",
    "215021",
    "Holder Zhang",
    "心脏病史",
]


def seed(db, holder):
    customer = service.create_customer(
        db,
        {
            "code": "P1",
            "name": "张伟",
            "kind": "person",
            "email": "zhang.wei@example.cn",
            "phone": "+8613912345678",
            "city": "苏州",
            "birth_date": "1980-05-06",
            "tags": ["vip"],
        },
    )
    service.update_customer(db, customer, {"occupation": "engineer"})
    children.add_child(db, "contact", customer, {"name": "李秘书", "email": "li.ms@example.cn"})
    children.add_child(db, "address", customer, {"line1": "幸福路 88 号", "postal_code": "215021"})
    timeline.add_entry(
        db,
        customer_id=customer.id,
        channel="visit",
        subject="上门 张伟",
        body="客户 张伟 提到 心脏病史",
    )
    consent.record_consent(db, customer, channel="sms", granted=True, source="counter")
    consent.record_consent(db, customer, channel="sms", granted=False, source="call")
    db.execute(
        holder.cards.insert().values(
            customer_id=customer.id, holder_name="Holder Zhang", points=120
        )
    )
    # A duplicate merged into it leaves a merge entry carrying the duplicate's values too.
    dup = service.create_customer(
        db, {"code": "P1-dup", "name": "张伟", "kind": "person", "email": "zhang.wei@example.cn"}
    )
    merge_customers(db, customer, dup)
    # Staff were told about the customer in the console and by email.
    agent = create_user(db, username="privacy-agent", password="password-123")
    agent.email = "agent@example.cn"
    notify(db, agent, kind="call", title="回电 张伟", body="张伟 +8613912345678", email=True)
    db.commit()
    return customer


def every_text_value(db) -> str:
    """Every text and JSON value of every table, as one string to search."""
    connection = db.connection()
    inspector = sa.inspect(connection)
    chunks = []
    for table in inspector.get_table_names():
        columns = [
            c["name"]
            for c in inspector.get_columns(table)
            if isinstance(c["type"], sa.String | sa.Text | sa.JSON)
            or c["type"].__class__.__name__ in ("JSON", "JSONB", "TEXT", "VARCHAR")
        ]
        for column in columns:
            rows = connection.execute(sa.text(f'SELECT "{column}" FROM "{table}"')).scalars()
            chunks += [str(v) for v in rows if v is not None]
    return "\n".join(chunks)


@pytest.mark.hookspec("crm_customer_export")
def test_export_gathers_host_and_plugin_data(app, db, holder):
    customer = seed(db, holder)
    with app.app_context():
        data = privacy.export_customer(db, customer.id)
    assert data["customer"]["email"] == "zhang.wei@example.cn"
    assert [c["name"] for c in data["contacts"]] == ["李秘书"]
    assert [c["granted"] for c in data["consents"]] == [True, False]
    assert data["plugins"]["fx_holder"]["cards"][0]["holder_name"] == "Holder Zhang"


@pytest.mark.hookspec("crm_customer_erasing")
def test_erasure_twice_leaves_no_personal_value_anywhere(app, db, holder):
    customer = seed(db, holder)
    text = every_text_value(db)
    assert all(value in text for value in PERSONAL)  # the check can see them before

    with app.app_context():
        privacy.erase_customer(db, customer)
        db.commit()
        privacy.erase_customer(db, customer)  # idempotent
        db.commit()

    text = every_text_value(db)
    leaked = [value for value in PERSONAL if value in text]
    assert leaked == []
    kept = db.get(Customer, customer.id)
    assert kept.code == "P1" and kept.name == "[erased] P1"
    assert db.execute(sa.select(holder.cards.c.points)).scalar_one() == 120  # accounting kept
    assert consent.current_consents(db, customer.id) == {"sms": False}


def test_privacy_api_is_guarded_and_audited(app, db, holder, make_user, client_for):
    customer = seed(db, holder)
    admin = client_for(make_user("dpo", admin=True))
    agent = client_for(make_user("agt", departments=["service"], role="agent"))
    assert agent.get(f"/api/v1/customers/{customer.id}/privacy-export").status_code == 403
    exported = admin.get(f"/api/v1/customers/{customer.id}/privacy-export")
    assert exported.status_code == 200 and exported.json["customer"]["code"] == "P1"
    assert admin.post(f"/api/v1/customers/{customer.id}/erase").json["name"] == "[erased] P1"
    history = admin.get(f"/api/v1/customers/{customer.id}/consents").json
    assert history["current"] == {"sms": False} and len(history["history"]) == 2


def test_every_installed_plugin_holding_customer_data_implements_the_export(app, db, holder):
    host = get_host(app)
    installed = order_plugins(host.discovery.manifests, [p.name for p in host.plugins.loaded])
    with app.app_context():
        assert privacy.plugins_without_export(db, installed) == []
        # The control: a plugin with a customers foreign key and no export is caught.
        from crm_host.plugins.facade import Manifest

        lazy = Manifest(name="fx_lazy", slug="fxholder", label="Lazy", version="1.0")
        assert privacy.plugins_without_export(db, [lazy]) == ["fx_lazy"]
