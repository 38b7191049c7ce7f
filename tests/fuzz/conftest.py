"""The fuzz stage's database: one ``crm demo`` company, seeded once per session.

The demo fills every built-in plugin (orders, tickets, campaigns, RFM scores, meter
readings), so list routes page past their first page and item routes find real ids —
the data an empty database never lets the fuzzer reach.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from flask import Flask

from crm_host.core.host import get_host
from crm_host.core.models import User
from crm_host.security.tokens import create_token
from crm_host.testing import build_app
from crm_host.testing.databases import TestDatabases

#: Enough customers that every list route has more than one page at its smallest size.
DEMO_CUSTOMERS = 60


@dataclass
class DemoSite:
    """The seeded demo application and working credentials of its administrator."""

    app: Flask

    def headers(self) -> dict[str, str]:
        """A fresh bearer token of ``admin``, made active and administrator again.

        The fuzzer signs out, revokes tokens and deactivates users as it goes (any id
        it guesses may be the administrator's); each operation starts signed in anew.
        """
        with get_host(self.app).db.session() as session:
            admin = session.scalar(sa.select(User).where(User.username == "admin"))
            assert admin is not None
            admin.is_active, admin.is_admin = True, True
            _, secret = create_token(session, admin, name="fuzz")
        return {"Authorization": f"Bearer {secret}"}


@pytest.fixture(scope="session")
def demo_site(
    crm_databases: TestDatabases, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DemoSite]:
    """``crm demo`` run into a database of its own, and an app serving it."""
    from crm_host.cli.main import cli as crm

    url = crm_databases.create("fuzzdemo")
    instance = tmp_path_factory.mktemp("fuzzdemo")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CRM_DATABASE_URL", url.render_as_string(hide_password=False))
        patch.setenv("CRM_INSTANCE_PATH", str(instance / "instance"))
        result = CliRunner().invoke(crm, ["demo", "--no-serve", "--customers", str(DEMO_CUSTOMERS)])
    assert result.exit_code == 0 and "failed" not in result.output, result.output
    app = build_app(url, instance)
    yield DemoSite(app)
    get_host(app).db.dispose()
