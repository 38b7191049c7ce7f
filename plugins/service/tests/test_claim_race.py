"""Claiming under contention, on a database whose writes really commit.

Runs on SQLite (the writer lock serialises the UPDATEs) and on PostgreSQL (row locks;
a waiting UPDATE re-reads the row and no longer matches ``assignee_id IS NULL``).
"""

from __future__ import annotations

import threading

import sqlalchemy as sa
from crm_service import tickets
from crm_service.models import Ticket

from crm_host.domain.directory import create_user
from crm_host.sdk import Interaction, User
from crm_host.sdk.customers import customer_service as customers

THREADS = 20
TICKETS = 5


def test_twenty_agents_racing_for_five_tickets_make_five_claims(committed_db):
    with committed_db.session() as session:
        customer = customers.create_customer(
            session, {"code": "RACE1", "name": "抢单客户", "kind": "person"}
        )
        ticket_ids = [
            tickets.open_ticket(
                session, customer_id=customer.id, ticket_type="inquiry", subject=f"race {n}"
            ).id
            for n in range(TICKETS)
        ]
        user_ids = [
            create_user(
                session, username=f"racer{n}", password="password-123", departments=["service"]
            ).id
            for n in range(THREADS)
        ]
    barrier = threading.Barrier(THREADS)
    results: dict[int, bool] = {}
    errors: list[BaseException] = []

    def race(n: int) -> None:
        try:
            barrier.wait(timeout=30)
            with committed_db.session() as session:
                user = session.get(User, user_ids[n])
                results[n] = tickets.claim(session, ticket_ids[n % TICKETS], user)
        except BaseException as error:  # reported below, with the thread's number
            errors.append(error)

    threads = [threading.Thread(target=race, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sorted(results.values()).count(True) == TICKETS
    assert sorted(results.values()).count(False) == THREADS - TICKETS
    with committed_db.session() as session:
        rows = session.execute(
            sa.select(Ticket.id, Ticket.assignee_id, Ticket.status).where(Ticket.id.in_(ticket_ids))
        ).all()
        winners = {user_ids[n] for n, won in results.items() if won}
        assert {r.assignee_id for r in rows} == winners
        assert {r.status for r in rows} == {"assigned"}
        # Each ticket's timeline names one claim: the losers wrote nothing.
        claims = session.scalars(
            sa.select(Interaction.subject).where(Interaction.subject.like("%claimed by%"))
        ).all()
        assert len(claims) == TICKETS
