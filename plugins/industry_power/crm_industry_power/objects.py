"""The power objects the host's shared services address: ``power.account`` and
``power.fault``.

Neither has an owner or a department of its own: holding the permission decides,
as on their routes. A fault is shown on its account's page.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.sdk import ObjectRegistry
from crm_industry_power.models import Account, Fault
from crm_industry_power.permissions import (
    ACCOUNTS_READ,
    ACCOUNTS_WRITE,
    FAULTS_READ,
    FAULTS_WRITE,
)


def _customers(model: type[Account] | type[Fault]) -> Any:
    def customers(session: Session, ids: list[Any]) -> dict[Any, list[int]]:
        rows = session.execute(sa.select(model.id, model.customer_id).where(model.id.in_(ids)))
        return {row_id: [customer_id] for row_id, customer_id in rows}

    return customers


def register(registry: ObjectRegistry) -> None:
    """Register ``power.account`` and ``power.fault``."""
    registry.add(
        "account",
        Account,
        read=ACCOUNTS_READ,
        write=ACCOUNTS_WRITE,
        label="Account",
        customers=_customers(Account),
        title=Account.number,
        console_url="/power/accounts/{id}",
        api_url="/api/v1/power/accounts/{id}",
        searchable=(Account.number, Account.service_point),
    )
    registry.add(
        "fault",
        Fault,
        read=FAULTS_READ,
        write=FAULTS_WRITE,
        label="Fault",
        customers=_customers(Fault),
        console_url="/power/accounts/{account_id}",
        api_url="/api/v1/power/faults/{id}/arrival",
    )
