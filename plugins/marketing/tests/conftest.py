"""Fixtures of the marketing plugin's tests, on the host's ``crm_host.testing`` fixtures."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from crm_marketing import segments
from crm_marketing.models import Segment
from flask import Flask

from crm_host.sdk import Customer, User
from crm_host.sdk.customers import record_consent


@pytest.fixture
def make_customer(
    make_customer: Callable[..., Customer], db: sa.orm.Session
) -> Callable[..., Customer]:
    """The host's customer factory, plus consents: ``make_customer(city="苏州", consent=["email"])``."""

    def make(*, consent: tuple[str, ...] | list[str] = (), **fields: Any) -> Customer:
        customer = make_customer(**fields)
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


@pytest.fixture
def segment(db: sa.orm.Session) -> Segment:
    """The customers of 苏州, the audience most campaign tests send to."""
    suzhou = segments.create_segment(
        db, {"name": "苏州", "rules": {"all": [{"field": "city", "op": "eq", "value": "苏州"}]}}
    )
    db.commit()
    return suzhou


@pytest.fixture
def register(app: Flask) -> Iterator[Callable[[object, str], None]]:
    """Register a plugin object under a name for one test: ``register(Plugin(), "fx_…")``."""
    pm = app.extensions["crm"].plugins.pm
    names: list[str] = []

    def add(obj: object, name: str) -> None:
        pm.register(obj, name=name)
        names.append(name)

    yield add
    for name in names:
        pm.unregister(name=name)
