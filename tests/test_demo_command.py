"""``crm demo`` on an empty database: the host's company, then every plugin's demo data.

The session's demo template (``crm_host.testing.demo``) is that first run: its output
is checked here, its data in a copy, and the second run goes to the copy.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from crm_host.cli.main import cli as crm
from crm_host.core.host import get_host
from crm_host.core.models import Tag
from crm_host.demo.seed import seed_plugins
from crm_host.testing.demo import DemoTemplate


@pytest.fixture
def demo_instance(
    crm_demo_database: Callable[[str], sa.URL], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> sa.URL:
    """A copy of the session's ``crm demo`` database, found by ``crm`` as an admin's would be."""
    url = crm_demo_database("demo")
    monkeypatch.setenv("CRM_DATABASE_URL", url.render_as_string(hide_password=False))
    monkeypatch.setenv("CRM_INSTANCE_PATH", str(tmp_path / "instance"))
    return url


def _count(engine: sa.Engine, table: str, where: str = "") -> int:
    with engine.connect() as connection:
        return connection.scalar(sa.text(f"SELECT count(*) FROM {table} {where}"))


@pytest.mark.hookspec("crm_seed_demo")
def test_demo_fills_every_plugin_and_a_second_run_adds_nothing(
    crm_demo_template: DemoTemplate, demo_instance: sa.URL
) -> None:
    # The first run, on an empty database, made the session's demo template (with the
    # same command); this test reads what it printed and a copy of what it wrote.
    runner = CliRunner()
    first = crm_demo_template  # exit status 0, checked by run_demo
    assert "Created 60 customers." in first.output
    assert "failed" not in first.output
    for line in ("Sales: 6 products", "Service: 24 tickets", "Power: 8 accounts", "Marketing: 3"):
        assert line in first.output

    engine = sa.create_engine(demo_instance)
    try:
        orders = _count(engine, "sales_orders")
        assert orders > 0
        # Every order is on its customer's timeline and in the audit trail.
        assert _count(engine, "interactions", "WHERE channel = 'order'") == orders
        assert _count(engine, "service_tickets") == 24
        assert _count(engine, "service_tickets", "WHERE status = 'resolved'") > 0
        assert _count(engine, "power_accounts") == 8
        # 8 accounts × 30 days, one packed row a meter-day.
        assert _count(engine, "power_reading_days") == 8 * 30
        # The RFM scores are the buyers of the seeded orders.
        buyers = _count(engine, "(SELECT DISTINCT customer_id FROM sales_orders) AS buyers")
        assert _count(engine, "marketing_rfm") == buyers
        assert _count(engine, "marketing_campaigns", "WHERE status = 'draft'") == 1

        again = runner.invoke(crm, ["demo", "--no-serve", "--customers", "60"])
        assert again.exit_code == 0, again.output
        assert "Sales:" not in again.output and "Created 60" not in again.output
        assert _count(engine, "sales_orders") == orders
        assert _count(engine, "service_tickets") == 24
    finally:
        engine.dispose()


@pytest.mark.hookspec("crm_seed_demo")
def test_a_plugin_whose_crm_seed_demo_fails_is_rolled_back_alone(committed_app, monkeypatch):
    """Each plugin's demo data commits on its own: a failure is reported naming the
    plugin, its half-written rows are gone, and the next plugin's are kept."""

    def broken(session: sa.orm.Session) -> list[str]:
        session.add(Tag(name="half-done"))
        session.flush()
        raise RuntimeError("no demo today")

    def fine(session: sa.orm.Session) -> list[str]:
        session.add(Tag(name="kept"))
        return ["Fine: one tag."]

    plugins = get_host(committed_app).plugins
    monkeypatch.setattr(
        plugins,
        "implementations",
        lambda hook: (
            [("broken", broken, ("session",)), ("fine", fine, ("session",))]
            if hook == "crm_seed_demo"
            else []
        ),
    )
    report = seed_plugins(committed_app)
    assert report == ["The demo data of broken failed: no demo today", "Fine: one tag."]
    with committed_app.app_context():
        names = set(get_host(committed_app).session.scalars(sa.select(Tag.name)))
    assert "kept" in names and "half-done" not in names
