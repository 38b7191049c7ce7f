"""The fuzz stage's database: a copy of the ``crm demo`` company seeded once per session
(``crm_host.testing.demo``).

The demo fills every built-in plugin (orders, tickets, campaigns, RFM scores, meter
readings), so list routes page past their first page and item routes find real ids —
the data an empty database never lets the fuzzer reach.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from flask import Flask

from crm_host.core.host import get_host
from crm_host.core.models import User
from crm_host.security.tokens import create_token
from crm_host.testing import build_app
from crm_host.testing.demo import DemoTemplate


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
    crm_demo_template: DemoTemplate,
    crm_demo_database: Callable[[str], sa.URL],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[DemoSite]:
    """A copy of the ``crm demo`` company (60 customers), and an app serving it."""
    assert "failed" not in crm_demo_template.output, crm_demo_template.output
    url = crm_demo_database("fuzzdemo")
    app = build_app(url, tmp_path_factory.mktemp("fuzzdemo"))
    yield DemoSite(app)
    get_host(app).db.dispose()
