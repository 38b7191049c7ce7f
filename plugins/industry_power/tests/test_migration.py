"""The power branch installs alone (service is only in ``uses``), goes down a revision
and up again keeping its readings, and matches the models."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import sqlalchemy as sa
from crm_industry_power import profiles, readings, storage
from crm_industry_power.models import ReadingDay

from crm_host.core import migrate
from crm_host.core.db import Database
from crm_host.domain import lifecycle
from crm_host.plugins.facade import discover, order_plugins
from crm_host.sdk import Customer
from crm_host.sdk.customers import Record

TABLES = {
    "power_tariffs",
    "power_tariff_periods",
    "power_accounts",
    "power_meters",
    "power_reading_days",
    "power_bills",
    "power_advice",
    "power_equipment",
    "power_faults",
    "power_service_classes",
    "power_inspection_plans",
    "power_inspection_records",
    "power_guarantee_types",
    "power_guarantees",
}


def tables(database: Database) -> set[str]:
    with database.engine.connect() as connection:
        return {t for t in sa.inspect(connection).get_table_names() if t.startswith("power_")}


def columns(database: Database, table: str) -> set[str]:
    with database.engine.connect() as connection:
        return {c["name"] for c in sa.inspect(connection).get_columns(table)}


def test_the_branch_round_trips_with_readings(crm_databases):
    database = Database(crm_databases.create("power-branch"))
    try:
        discovery = discover()
        migrate.upgrade(database, [], "host@head")
        lifecycle.install(database, discovery, "industry_power")
        assert tables(database) == TABLES
        with database.session() as session:
            # Straight to the table: no application, so no customer guards to run.
            customer = Customer(code="MG1", name="迁移客户", kind="organization")
            session.add(customer)
            session.flush()
            account = profiles.save_account(
                session,
                {
                    "number": "MG-1",
                    "customer_id": customer.id,
                    "service_point": "一号站",
                    "category": "commercial",
                    "voltage_level": "10kV",
                    "contracted_kva": "400",
                },
            )
            profiles.save_meter(session, {"number": "MG-M", "account_id": account.id})
            readings.import_records(
                session,
                [Record(2, {"meter": "MG-M", "timestamp": "2026-11-02 00:00", "value": "7.5"})],
                interval=15,
                unit="kWh",
                tz=ZoneInfo("Asia/Shanghai"),
            )
            session.commit()
        manifests = order_plugins(discovery.manifests, ["industry_power"])
        # The later revisions (version counters, search indexes) add no tables: down
        # to the guarantees first, then a table-making revision at a time.
        migrate.downgrade(database, manifests, "power@power0005")
        assert tables(database) == TABLES
        assert "version" not in columns(database, "power_accounts")
        remaining = set(TABLES)
        remaining -= {"power_guarantee_types", "power_guarantees"}
        migrate.downgrade(database, manifests, "power@-1")
        assert tables(database) == remaining
        remaining -= {"power_inspection_plans", "power_inspection_records"}
        migrate.downgrade(database, manifests, "power@-1")
        assert tables(database) == remaining
        migrate.downgrade(database, manifests, "power@-1")
        assert "area" not in columns(database, "power_faults")
        migrate.downgrade(database, manifests, "power@-1")
        assert tables(database) == remaining - {"power_service_classes"}
        migrate.upgrade(database, manifests, "power@head")
        with database.session() as session:
            row = session.scalar(sa.select(ReadingDay))
            assert storage.unpack(row.values)[0] == 7_500_000
        absent = [f"{m.slug}_" for m in discovery.manifests.values() if m.name != "industry_power"]
        drift = migrate.schema_drift(database, absent)
        assert [d for d in drift if "power_" in d] == []
        migrate.downgrade(database, manifests, "power@base")
        assert tables(database) == set()
    finally:
        database.dispose()
