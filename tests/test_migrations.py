"""Every migration branch goes down and up again with data in the database, losing nothing.

SQLite cannot ALTER a table in place; batch migrations recreate it, and a recreated
parent with cascading foreign keys would silently take its child rows with it. The
host's ``host0002`` recreates ``customers`` (with contacts, addresses, tags,
consents and interactions hanging off it) and the example plugin's ``ex0002``
recreates ``example_notes`` (with its lines).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory

from crm_host.core import migrate
from crm_host.core.db import Database
from crm_host.core.models import Address, Consent, Contact, Customer, Interaction, Tag
from crm_host.domain import lifecycle
from crm_host.domain.directory import create_department, create_user
from crm_host.plugins.facade import discover, order_plugins


def seed(database: Database) -> None:
    with database.session() as session:
        sales = create_department(session, code="sales", name="Sales")
        user = create_user(
            session, username="u1", password="quiet-harbour-77", departments=["sales"]
        )
        vip = Tag(name="vip")
        parent = Customer(code="O1", kind="organization", name="苏州恒力钢铁有限公司")
        session.add_all([vip, parent])
        session.flush()
        for i in range(5):
            customer = Customer(
                code=f"C{i}",
                kind="person",
                name=f"王芳{i}",
                parent_id=parent.id,
                owner_id=user.id,
                tags=[vip],
                departments=[sales],
            )
            customer.contacts.append(Contact(name=f"contact {i}"))
            customer.addresses.append(Address(line1=f"{i} 人民路", city="苏州"))
            session.add(customer)
            session.flush()
            session.add(Consent(customer_id=customer.id, channel="email", granted=True))
            session.add(
                Interaction(
                    customer_id=customer.id,
                    channel="phone",
                    subject="call",
                    occurred_at=datetime(2026, 1, 2, 3, 4, tzinfo=UTC),
                )
            )
            note_id = session.execute(
                sa.text(
                    "INSERT INTO example_notes (customer_id, title) VALUES (:c, 'n') RETURNING id"
                ),
                {"c": customer.id},
            ).scalar_one()
            session.execute(
                sa.text("INSERT INTO example_note_lines (note_id, text) VALUES (:n, 'x')"),
                {"n": note_id},
            )


def counts(database: Database) -> dict[str, int]:
    with database.engine.connect() as connection:
        tables = sa.inspect(connection).get_table_names()
        return {
            t: connection.scalar(sa.select(sa.func.count()).select_from(sa.table(t)))
            for t in tables
            if t != "alembic_version"
        }


def dependents_of(manifests, host_revision: str) -> list[tuple[str, str]]:
    """``(branch, revision before it)`` of each plugin revision that ``depends_on``
    ``host_revision``: where that branch must go down to before the host can."""
    script = ScriptDirectory.from_config(migrate.alembic_config(manifests))
    found = set()
    for revision in script.walk_revisions():
        needs = revision.dependencies or ()
        if host_revision in ((needs,) if isinstance(needs, str) else needs):
            for branch in set(revision.branch_labels) - {"host"}:
                found.add((branch, revision.down_revision))
    return sorted(found)


def walk_down_and_up(database, manifests, branch, seeded):
    """Downgrade ``branch`` one revision at a time to its base, then upgrade it again.

    After each step every table that still exists holds exactly the rows it held.
    """
    states = {s.branch: s for s in migrate.branch_states(database, manifests)}
    assert states[branch].current == states[branch].head
    while states[branch].current is not None:
        migrate.downgrade(database, manifests, f"{branch}@-1")
        now = counts(database)
        assert {t: now[t] for t in now if t in seeded} == {t: seeded[t] for t in now if t in seeded}
        states = {s.branch: s for s in migrate.branch_states(database, manifests)}
    migrate.upgrade(database, manifests, f"{branch}@head")


def test_every_branch_round_trips_with_data(example_distribution, crm_databases):
    database = Database(crm_databases.create("roundtrip"))
    discovery = discover()
    migrate.upgrade(database, [], "host@head")
    names = sorted(set(discovery.manifests) - {"example"}) + ["example"]
    for name in names:
        lifecycle.install(database, discovery, name)
    manifests = order_plugins(discovery.manifests, names)
    seed(database)
    seeded = counts(database)
    assert seeded["contacts"] == 5 and seeded["example_note_lines"] == 5

    # Plugin branches first: the host's cannot go down while a plugin depends on it.
    # Counts are taken again before each branch: a walk empties the tables its own
    # downgrade dropped, and the next branch must not be held to their old rows.
    for manifest in manifests:
        if manifest.migrations is not None:
            walk_down_and_up(database, manifests, manifest.branch, counts(database))

    # Tables a plugin's downgrade dropped come back empty; the rest hold their rows.
    seeded = counts(database)
    assert seeded["contacts"] == 5 and seeded["example_notes"] == 0

    # The host branch goes down freely until it reaches what the example depends on.
    def host_current():
        return {s.branch: s for s in migrate.branch_states(database, manifests)}["host"].current

    while host_current() != "host0002":
        # Plugin revisions converting their rows of a host table (typed timeline
        # references) depend on the host revision that added its columns: first down.
        for branch, below in dependents_of(manifests, host_current()):
            migrate.downgrade(database, manifests, f"{branch}@{below}")
        migrate.downgrade(database, manifests, "host@-1")
        assert counts(database) == {t: n for t, n in seeded.items() if t in counts(database)}
    with pytest.raises(migrate.MigrationError, match="would also downgrade example"):
        migrate.downgrade(database, manifests, "host@-1")
    assert counts(database)["contacts"] == 5

    # Down past host0002 (recreating `customers`) once no plugin depends on it.
    migrate.downgrade(database, manifests, "example@base")
    migrate.downgrade(database, manifests, "host@-1")
    assert host_current() == "host0001"
    after = counts(database)
    for table in (
        "customers",
        "contacts",
        "addresses",
        "customer_tags",
        "customer_departments",
        "consents",
        "interactions",
        "memberships",
    ):
        assert after[table] == seeded[table], table
    migrate.upgrade(database, manifests, "heads")
    final = counts(database)
    for table, rows in seeded.items():
        if not table.startswith("example_"):
            assert final[table] == rows, table
    with database.engine.connect() as connection:
        folded = connection.scalar(sa.select(Customer.search_name).where(Customer.code == "C1"))
    assert folded == "王芳1"
    database.dispose()
