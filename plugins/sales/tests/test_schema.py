"""The sales branch: default stages, and a round trip down and up with data."""

from __future__ import annotations

import sqlalchemy as sa
from crm_sales.models import Stage

from crm_host.core import migrate
from crm_host.core.db import Database
from crm_host.domain import lifecycle
from crm_host.plugins.facade import discover


def test_default_stages_are_seeded_in_board_order(db):
    rows = db.execute(
        sa.select(Stage.code, Stage.probability, Stage.is_won, Stage.is_lost).order_by(
            Stage.position
        )
    ).all()
    assert rows == [
        ("prospecting", 10, False, False),
        ("qualification", 25, False, False),
        ("proposal", 50, False, False),
        ("negotiation", 75, False, False),
        ("won", 100, True, False),
        ("lost", 0, False, True),
    ]


def test_the_sales_branch_goes_down_and_up_again(crm_databases):
    database = Database(crm_databases.create("sales-branch"))
    try:
        discovery = discover()
        migrate.upgrade(database, [], "host@head")
        lifecycle.install(database, discovery, "sales")
        manifests = [discovery.manifests["sales"]]
        with database.engine.connect() as connection:
            tables = {t for t in sa.inspect(connection).get_table_names() if t.startswith("sales_")}
        assert tables == {
            "sales_activities",
            "sales_assignment_cursors",
            "sales_assignment_rules",
            "sales_capacities",
            "sales_customer_price_lists",
            "sales_leads",
            "sales_opportunities",
            "sales_order_lines",
            "sales_orders",
            "sales_price_list_items",
            "sales_price_lists",
            "sales_products",
            "sales_quote_lines",
            "sales_quotes",
            "sales_scoring_rules",
            "sales_stage_changes",
            "sales_stages",
        }
        migrate.downgrade(database, manifests, "sales@base")
        with database.engine.connect() as connection:
            names = sa.inspect(connection).get_table_names()
        assert not [t for t in names if t.startswith("sales_")]
        assert "customers" in names
        migrate.upgrade(database, manifests, "sales@head")
        with database.engine.connect() as connection:
            assert connection.scalar(sa.select(sa.func.count()).select_from(Stage)) == 6
    finally:
        database.dispose()


def test_the_default_board_comes_back_when_emptied(db):
    from crm_sales import stages

    assert stages.ensure_defaults(db) == 0
    db.execute(sa.delete(Stage))
    assert stages.ensure_defaults(db) == 6
    assert [s[0] for s in stages.DEFAULT_STAGES] == list(
        db.scalars(sa.select(Stage.code).order_by(Stage.position))
    )
