"""Fixtures of the sales plugin's tests, on the host's ``crm_host.testing`` fixtures
(``make_customer``, ``make_user``, ``client_for``… come from there)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from crm_host.sdk import Department, User


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
