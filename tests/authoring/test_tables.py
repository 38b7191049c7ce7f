"""`crm plugins check` names SQL that reads another plugin's tables, and transaction
sources that do not fit the contract — each in one line."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from crm_host.authoring.check import check_plugin
from crm_host.authoring.tables import owner_of, table_references
from crm_host.cli.main import cli as crm
from crm_host.plugins.facade import discover

ROOT = Path(__file__).parents[2]
#: Files of the built-ins that read another plugin's tables by name, and the table
#: each reads: none, since marketing's journeys and benchmark went through published
#: events and the transaction-source union. Nothing may be added.
ALLOWED: set[tuple[str, str]] = set()


def test_a_plugin_reading_another_plugins_table_fails_with_one_line(fixture_plugins):
    result = CliRunner().invoke(crm, ["plugins", "check", "crm_fx_peek"])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "plugin fx_peek names table sales_opportunities of plugin sales (crm_fx_peek.py:15): "
        "use its registered object type sales.opportunity (crm_host.sdk.ObjectRegistry) or the hooks "
        "it publishes (crm_sales_lead_converted, crm_sales_opportunity_won) instead of its "
        "tables"
    ]


def test_a_mistyped_transaction_source_fails_with_one_line(fixture_plugins):
    result = CliRunner().invoke(crm, ["plugins", "check", "crm_fx_badsource"])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "plugin fx_badsource's transaction source 1 breaks the contract: it selects ref as "
        "INTEGER, but the contract wants a string (String): cast it, e.g. "
        "sa.cast(..., sa.String).label('ref')"
    ]


def test_a_well_typed_transaction_source_passes(fixture_plugins):
    assert check_plugin("crm_fx_ledger") == []


def test_table_names_are_read_from_every_kind_of_sql(tmp_path):
    source = tmp_path / "reads.py"
    source.write_text(
        "import sqlalchemy as sa\n"
        "from sqlalchemy import Table, text\n"
        "a = sa.table('sales_orders', sa.column('id'))\n"
        "b = Table('service_tickets', metadata, autoload_with=engine)\n"
        "c = text('SELECT o.id FROM sales_opportunities o JOIN power_bills b ON 1=1')\n"
        "d = metadata.tables['marketing_journeys']\n"
        "e = Base.metadata.tables.get('sales_quotes')\n"
        "f = sa.select(sa.literal_column('service_slas.id')).select_from(x)\n"
        "g = connection.exec_driver_sql(f'UPDATE sales_leads SET x = {y}')\n"
        "h = text('SELECT id FROM customers')\n"
        "i = sa.column('sales_total')\n"
        "j = 'FROM sales_orders'  # not SQL handed to SQLAlchemy\n"
        "k = sa.select(x).select_from(text('sales_orders')).join(sa.table('sales_leads'))\n"
        "m = os.path.join('sales_export', 'x.csv') + ', '.join(['sales_quotes'])\n"
        "n = query.join('service_tickets')\n"
        "p = validation.text(value, 'service_point', errors, max_length=200)\n"
    )
    found = sorted((r.line, r.table) for r in table_references(source))
    assert found == [
        (3, "sales_orders"),
        (4, "service_tickets"),
        (5, "power_bills"),
        (5, "sales_opportunities"),
        (6, "marketing_journeys"),
        (7, "sales_quotes"),
        (8, "service_slas"),
        (9, "sales_leads"),
        (10, "customers"),
        (13, "sales_leads"),
        (13, "sales_orders"),
        (15, "service_tickets"),
    ]
    slugs = {"sales": "sales", "power": "industry_power"}
    assert owner_of("power_bills", slugs) == "industry_power"
    assert owner_of("customers", slugs) is None
    assert owner_of("sales", slugs) is None


def test_the_built_ins_and_the_example_read_no_other_plugins_tables_but_the_allowed():
    discovery = discover()
    slugs = {m.slug: name for name, m in discovery.manifests.items()}
    owners = {m.package: name for name, m in discovery.manifests.items()}
    packages = sorted(
        [*ROOT.glob("plugins/*/crm_*"), *ROOT.glob("examples/*/crm_*")], key=lambda p: p.name
    )
    assert [p.name for p in packages] == [
        "crm_industry_power",
        "crm_loyalty",
        "crm_marketing",
        "crm_sales",
        "crm_service",
    ]
    found = set()
    for package in packages:
        for path in sorted(package.rglob("*.py")):
            for reference in table_references(path):
                owner = owner_of(reference.table, slugs)
                if owner is not None and owner != owners.get(package.name):
                    found.add((path.relative_to(package.parent).as_posix(), reference.table))
    assert found == ALLOWED, sorted(found - ALLOWED)
