"""Fixtures of the service plugin's tests, on the host's ``crm_host.testing`` fixtures
(``make_customer``, ``make_user``, ``db``… come from there)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from crm_service.sla import save_policy

from crm_host.sdk import Customer, Department, User


@pytest.fixture
def customer(make_customer: Callable[..., Customer]) -> Customer:
    """A customer with a phone number."""
    return make_customer(name="王芳", phone="13800138000")


@pytest.fixture
def agent(make_user: Callable[..., User]) -> User:
    """An agent of the Service Centre."""
    return make_user("agent-ann", departments=["service"], role="agent")


@pytest.fixture
def service_department(db: sa.orm.Session) -> Department:
    """The Service Centre department (the default test installation has it)."""
    return db.scalar(sa.select(Department).where(Department.code == "service"))


@pytest.fixture
def policy(db: sa.orm.Session) -> Any:
    """A 24x7 policy for every ticket: first response in 60 minutes, resolution in 8 hours."""
    row = save_policy(
        db, {"name": "standard", "first_response_minutes": 60, "resolution_minutes": 480}
    )
    db.commit()
    return row
