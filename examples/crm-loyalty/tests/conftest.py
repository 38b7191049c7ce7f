"""Fixtures of the loyalty plugin's tests, on the host's ``crm_host.testing`` fixtures."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from crm_host.sdk import Customer, User
from crm_host.sdk.customers import customer_service as customers


@pytest.fixture(scope="session")
def crm_plugins() -> list[str]:
    """Loyalty, with sales (which it uses) so won deals can earn points."""
    return ["loyalty", "sales"]


@pytest.fixture(scope="session")
def crm_departments() -> dict[str, tuple[str, list[str]]]:
    """The shop floor has loyalty and sales; the warehouse has neither."""
    return {"shop": ("Shop floor", ["sales", "loyalty"]), "warehouse": ("Warehouse", [])}


@pytest.fixture
def make_customer(db: sa.orm.Session) -> Callable[..., Customer]:
    """Create (and commit) a customer through the host: ``make_customer(name="王芳")``."""
    counter = iter(range(1, 1_000_000))

    def make(**fields: Any) -> Customer:
        n = next(counter)
        data = {"code": f"LOY{n:05d}", "name": f"会员{n}", "kind": "person", **fields}
        customer = customers.create_customer(db, data)
        db.commit()
        return customer

    return make


@pytest.fixture
def clerk(make_user: Callable[..., User]) -> User:
    """A manager on the shop floor."""
    return make_user("clerk", departments=["shop"])


@pytest.fixture
def api(client_for: Callable[[User], Any], clerk: User) -> Any:
    """An API client signed in as ``clerk``."""
    return client_for(clerk)
