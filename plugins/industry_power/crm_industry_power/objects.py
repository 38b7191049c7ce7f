"""The power objects the host's shared services address: ``power.account``.

An account has no owner or department of its own: holding the permission decides,
as on its routes.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.sdk import ObjectRegistry
from crm_industry_power.models import Account
from crm_industry_power.permissions import ACCOUNTS_READ, ACCOUNTS_WRITE


def _customers(session: Session, ids: list[Any]) -> dict[Any, list[int]]:
    rows = session.execute(sa.select(Account.id, Account.customer_id).where(Account.id.in_(ids)))
    return {account_id: [customer_id] for account_id, customer_id in rows}


def register(registry: ObjectRegistry) -> None:
    """Register ``power.account``."""
    registry.add(
        "account",
        Account,
        read=ACCOUNTS_READ,
        write=ACCOUNTS_WRITE,
        label="Account",
        customers=_customers,
        title=Account.number,
        console_url="/power/accounts/{id}",
        api_url="/api/v1/power/accounts/{id}",
        searchable=(Account.number, Account.service_point),
    )
