"""Loyalty points: accounts, awards, redemptions; the API, console, CLI and hooks call these."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.sdk import Customer, ValidationFailed, emit
from crm_loyalty.models import Account, Movement

WELCOME_BONUS = 100
#: One point per this many units of a won deal's amount, whatever its currency.
UNITS_PER_POINT = 10


def account_of(session: Session, customer_id: int, *, create: bool = False) -> Account | None:
    """The customer's account; opened (with a zero balance) when ``create`` is set."""
    account = session.scalar(sa.select(Account).where(Account.customer_id == customer_id))
    if account is None and create:
        if session.get(Customer, customer_id) is None:
            raise ValidationFailed(
                f"customer {customer_id} does not exist",
                details={"customer_id": ["No customer has this id."]},
            )
        account = Account(customer_id=customer_id, balance=0)
        session.add(account)
        session.flush()
    return account


def movements(session: Session, account: Account) -> list[Movement]:
    """An account's movements, newest first."""
    return list(
        session.scalars(
            sa.select(Movement)
            .where(Movement.account_id == account.id)
            .order_by(Movement.created_at.desc(), Movement.id.desc())
        )
    )


def move(
    session: Session, customer_id: int, points: int, reason: str, *, ref: str | None = None
) -> Movement | None:
    """Award (positive) or redeem (negative) points.

    With ``ref``, a movement already recorded under it is not made again (``None`` is
    returned): events arrive at least once. Redeeming more than the balance is refused;
    a redemption emits ``crm_loyalty_points_redeemed``, an event about the customer.
    """
    if points == 0:
        raise ValidationFailed("a movement needs points", details={"points": ["Not zero."]})
    if ref is not None and session.scalar(sa.select(Movement.id).where(Movement.ref == ref)):
        return None
    account = account_of(session, customer_id, create=True)
    assert account is not None
    if account.balance + points < 0:
        raise ValidationFailed(
            f"customer {customer_id} holds {account.balance} points and cannot redeem {-points}",
            details={"points": [f"At most {account.balance} can be redeemed."]},
        )
    account.balance += points
    movement = Movement(account_id=account.id, points=points, reason=reason, ref=ref)
    session.add(movement)
    session.flush()
    if points < 0:
        emit(
            session,
            "crm_loyalty_points_redeemed",
            movement_id=movement.id,
            points=-points,
            customer_ids=[customer_id],
        )
    return movement


def welcome(session: Session, customer_ids: Iterable[int]) -> int:
    """Give each new customer the welcome bonus, once; returns how many got it."""
    existing = session.scalars(sa.select(Customer.id).where(Customer.id.in_(set(customer_ids))))
    given = 0
    for customer_id in sorted(existing):
        if move(session, customer_id, WELCOME_BONUS, "Welcome bonus", ref=f"welcome:{customer_id}"):
            given += 1
    return given


def points_for_amount(amount: Any) -> int:
    """The points a won deal of ``amount`` earns."""
    return int(amount) // UNITS_PER_POINT


def merge(session: Session, survivor_id: int, merged_id: int) -> None:
    """Carry the merged customer's points and movements over to the survivor's account."""
    merged = account_of(session, merged_id)
    if merged is None:
        return
    survivor = account_of(session, survivor_id, create=True)
    assert survivor is not None
    survivor.balance += merged.balance
    session.execute(
        sa.update(Movement).where(Movement.account_id == merged.id).values(account_id=survivor.id)
    )
    session.delete(merged)
    session.flush()


def erase(session: Session, customer_id: int) -> None:
    """Blank the free text of the customer's movements; points and dates stay."""
    account = account_of(session, customer_id)
    if account is not None:
        session.execute(
            sa.update(Movement).where(Movement.account_id == account.id).values(reason="")
        )


def export(session: Session, customer_id: int) -> dict[str, Any] | None:
    """The customer's account and movements as JSON-ready data; ``None`` without an account."""
    account = account_of(session, customer_id)
    if account is None:
        return None
    return {
        "account": [{"balance": account.balance, "opened_at": account.opened_at.isoformat()}],
        "movements": [
            {
                "points": m.points,
                "reason": m.reason,
                "ref": m.ref,
                "created_at": m.created_at.isoformat(),
            }
            for m in movements(session, account)
        ],
    }


def leaders(session: Session, limit: int = 50) -> list[tuple[Account, str]]:
    """The accounts holding the most points, with their customers' names."""
    rows = session.execute(
        sa.select(Account, Customer.name)
        .join(Customer, Customer.id == Account.customer_id)
        .order_by(Account.balance.desc(), Account.id)
        .limit(limit)
    )
    return [(account, name) for account, name in rows]
