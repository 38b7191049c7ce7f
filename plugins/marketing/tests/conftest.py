"""Fixtures of the marketing plugin's tests, on the host's ``crm_host.testing`` fixtures."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from crm_host.customers import service as customers
from crm_host.customers.consent import record_consent
from crm_host.models import Customer, User


@pytest.fixture
def make_customer(db: sa.orm.Session) -> Callable[..., Customer]:
    """Create a customer: ``make_customer(city="苏州", email="a@example.com", consent=["email"])``."""
    counter = iter(range(1, 1_000_000))

    def make(*, consent: tuple[str, ...] | list[str] = (), **fields: Any) -> Customer:
        n = next(counter)
        data = {"code": f"MKT{n:05d}", "name": f"客户{n}", "kind": "person", **fields}
        customer = customers.create_customer(db, data)
        for channel in consent:
            record_consent(db, customer, channel=channel, granted=True, source="test")
        db.commit()
        return customer

    return make


@pytest.fixture
def buy(db: sa.orm.Session) -> Callable[..., None]:
    """Record a purchase through the sales plugin's service (a transaction source)."""
    from crm_sales import orders

    def purchase(customer: Customer, amount: str, when: datetime, currency: str = "CNY") -> None:
        orders.create_order(
            db,
            {
                "customer_id": customer.id,
                "currency": currency,
                "ordered_at": when,
                "lines": [{"description": "商品", "unit_price": Decimal(amount)}],
            },
        )
        db.commit()

    return purchase


@pytest.fixture
def marketer(make_user: Callable[..., User]) -> User:
    """A manager of the Marketing department: every marketing permission but ``manage``."""
    return make_user("marketer-li", departments=["marketing"])


@pytest.fixture
def api(client_for: Callable[[User], Any], marketer: User) -> Any:
    """An API client signed in as ``marketer``."""
    return client_for(marketer)
