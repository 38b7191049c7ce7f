"""The ``crm demo`` company for tests: seeded once per test session, then copied.

Seeding the demo (the host's company, then every plugin's demo data) is one of the
slowest things a test can ask for; a test that needs the demo gets a copy of the one
database seeded at the first request (a file copy on SQLite, ``CREATE DATABASE …
TEMPLATE`` on PostgreSQL), free to change it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from crm_host.testing.databases import TestDatabases

#: Customers in the test demo: enough that every list route has more than one page at
#: its smallest size, few enough to seed in seconds.
DEMO_CUSTOMERS = 60


@dataclass(frozen=True)
class DemoTemplate:
    """The database ``crm demo`` seeded, and what the command printed doing it."""

    url: sa.URL
    output: str


def run_demo(url: sa.URL, instance: Path, customers: int = DEMO_CUSTOMERS) -> str:
    """Run ``crm demo --no-serve`` into the database at ``url``; returns its output."""
    from crm_host.cli.main import cli as crm

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CRM_DATABASE_URL", url.render_as_string(hide_password=False))
        patch.setenv("CRM_INSTANCE_PATH", str(instance))
        result = CliRunner().invoke(crm, ["demo", "--no-serve", "--customers", str(customers)])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="session")
def crm_demo_template(
    crm_databases: TestDatabases, tmp_path_factory: pytest.TempPathFactory
) -> DemoTemplate:
    """``crm demo`` run once per session into a database of its own: copy it, never use it."""
    url = crm_databases.create("demotemplate")
    output = run_demo(url, tmp_path_factory.mktemp("demotemplate") / "instance")
    return DemoTemplate(url, output)


@pytest.fixture(scope="session")
def crm_demo_database(
    crm_databases: TestDatabases, crm_demo_template: DemoTemplate
) -> Callable[[str], sa.URL]:
    """Make a copy of the seeded demo database: ``url = crm_demo_database("fuzz")``."""

    def copy(label: str) -> sa.URL:
        return crm_databases.copy(crm_demo_template.url, label)

    return copy
