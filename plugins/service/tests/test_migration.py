"""The service branch installs on its own and goes down and up; ticket types are seeded
on first use."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from crm_service.models import Ticket
from crm_service.types import ensure_defaults

from crm_host.core import migrate
from crm_host.core.db import Database
from crm_host.domain import lifecycle
from crm_host.plugins.facade import discover, order_plugins

TABLES = {
    "service_ticket_types",
    "service_sla_policies",
    "service_tickets",
    "service_ticket_messages",
    "service_queue_cursors",
    "service_mail_messages",
    "service_surveys",
    "service_escalation_steps",
    "service_escalations",
    "service_return_visits",
    "service_kb_articles",
}


def tables(database: Database) -> set[str]:
    with database.engine.connect() as connection:
        return {t for t in sa.inspect(connection).get_table_names() if t.startswith("service_")}


def codes(database: Database) -> list[str]:
    with database.engine.connect() as connection:
        return sorted(connection.scalars(sa.text("SELECT code FROM service_ticket_types")))


def test_the_branch_installs_seeds_and_round_trips(crm_databases):
    database = Database(crm_databases.create("service-branch"))
    try:
        discovery = discover()
        migrate.upgrade(database, [], "host@head")
        lifecycle.install(database, discovery, "service")
        assert tables(database) == TABLES
        # Empty after migrating, so a backup can be restored into it.
        assert codes(database) == []
        with database.session() as session:
            ensure_defaults(session)
            ensure_defaults(session)
        assert codes(database) == ["complaint", "fault_repair", "inquiry", "request"]
        manifests = order_plugins(discovery.manifests, ["service"])
        migrate.downgrade(database, manifests, "service@base")
        assert tables(database) == set()
        migrate.upgrade(database, manifests, "service@head")
        assert tables(database) == TABLES
        absent = [f"{m.slug}_" for m in discovery.manifests.values() if m.name != "service"]
        # Only this branch's tables: the host's own drift is the host tests' business.
        drift = migrate.schema_drift(database, absent)
        assert [d for d in drift if "service_" in d] == []
    finally:
        database.dispose()


def test_the_ticket_status_is_checked_by_the_database(db, customer):
    from crm_service import tickets

    checks = {
        c["name"] for c in sa.inspect(db.connection()).get_check_constraints("service_tickets")
    }
    assert "ck_service_tickets_status" in checks
    ticket = tickets.open_ticket(db, customer_id=customer.id, ticket_type="inquiry", subject="x")
    db.commit()
    with pytest.raises(sa.exc.IntegrityError), db.begin_nested():
        db.execute(
            sa.text("UPDATE service_tickets SET status = 'lost' WHERE id = :id"),
            {"id": ticket.id},
        )
    db.rollback()
    assert db.get(Ticket, ticket.id).status == "new"
