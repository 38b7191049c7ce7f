"""Fixtures of the sales plugin's tests, on the host's ``crm_host.testing`` fixtures."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from crm_host.customers import service as customers
from crm_host.models import Customer, Department, User


@pytest.fixture
def make_customer(db: sa.orm.Session) -> Callable[..., Customer]:
    """Create a customer: ``make_customer(name="苏州恒力")``."""
    counter = iter(range(1, 1_000_000))

    def make(**fields: Any) -> Customer:
        n = next(counter)
        data = {"code": f"SLS{n:05d}", "name": f"客户{n}", "kind": "person", **fields}
        customer = customers.create_customer(db, data)
        db.commit()
        return customer

    return make


@pytest.fixture
def sales_department(db: sa.orm.Session) -> Department:
    """The Sales department of the default test installation."""
    return db.scalar(sa.select(Department).where(Department.code == "sales"))


@pytest.fixture
def seller(make_user: Callable[..., User]) -> User:
    """A manager of the Sales department: every sales permission but ``manage``."""
    return make_user("seller-wang", departments=["sales"])


@pytest.fixture
def api(client_for: Callable[[User], Any], seller: User) -> Any:
    """An API client signed in as ``seller``."""
    return client_for(seller)
