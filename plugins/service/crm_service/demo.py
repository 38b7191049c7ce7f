"""Demo data of the service plugin: a month of tickets in every state, and articles.

Tickets are opened, assigned, worked and resolved through the plugin's own functions
at moments in the past, so their SLA clocks, timelines and audit trail are what real
work leaves behind; the generator is seeded, so the demo is the same every time.
"""

from __future__ import annotations

import random
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.sdk import Customer, User, utcnow
from crm_service import kb, tickets
from crm_service.models import Article, Ticket

SEED = 2027
TICKETS = 24
#: (type, subject) — what customers of a utility and its partners call about.
REQUESTS = (
    ("fault_repair", "停电报修 Power outage at the site"),
    ("fault_repair", "电表显示异常 Meter display fault"),
    ("complaint", "账单金额有误 Bill amount looks wrong"),
    ("inquiry", "峰谷电价咨询 Question about time-of-use prices"),
    ("request", "申请增容 Request for more capacity"),
    ("inquiry", "发票开具 How to get an invoice"),
)
ARTICLES = (
    (
        "如何读懂电费账单 Reading your electricity bill",
        "账单分为基本电费、电度电费和力调电费。The bill has a capacity charge, an energy "
        "charge and a power-factor adjustment.",
    ),
    (
        "停电时先检查什么 What to check in an outage",
        "先看总开关是否跳闸，再看邻居是否也停电。Check the main breaker first, then whether "
        "the neighbours are out too.",
    ),
    (
        "峰谷电价说明 Time-of-use prices",
        "峰时 8:00–11:00 与 18:00–21:00，谷时 23:00–7:00。Peak hours 8–11 and 18–21, valley 23–7.",
    ),
)


def seed(session: Session) -> list[str]:
    """Seed the demo company's tickets and articles once; nothing when tickets exist."""
    if session.scalar(sa.select(sa.func.count()).select_from(Ticket)):
        return []
    rng = random.Random(SEED)
    agent = session.scalar(sa.select(User).where(User.username == "service"))
    customer_ids = list(session.scalars(sa.select(Customer.id).order_by(Customer.id)))
    now = utcnow()
    states: dict[str, int] = {}
    for n in range(min(TICKETS, len(customer_ids))):
        kind, subject = rng.choice(REQUESTS)
        opened = now - timedelta(days=rng.randint(0, 29), minutes=rng.randint(0, 600))
        ticket = tickets.open_ticket(
            session,
            customer_id=rng.choice(customer_ids),
            ticket_type=kind,
            subject=subject,
            description="示例工单 Demo ticket.",
            priority=rng.choice(("low", "normal", "normal", "high", "urgent")),
            channel=rng.choice(("phone", "email", "web", "visit")),
            department="service",
            source="demo",
            actor=agent,
            at=opened,
        )
        # The older a ticket, the further along it is: the newest stay new.
        progress = min(3, (now - opened).days // 4 + (n % 2))
        at = opened
        for target in ("assigned", "in_progress", "resolved")[:progress]:
            at = min(at + timedelta(hours=rng.randint(1, 20)), now)
            if target == "assigned":
                tickets.assign(session, ticket, agent, actor=agent, at=at)
            else:
                tickets.transition(session, ticket, target, actor=agent, at=at)
        states[ticket.status] = states.get(ticket.status, 0) + 1
    for title, body in ARTICLES:
        kb.save_article(session, {"title": title, "body": body, "published": True}, actor=agent)
    by_state = ", ".join(f"{count} {state}" for state, count in sorted(states.items()))
    articles = session.scalar(sa.select(sa.func.count()).select_from(Article))
    return [f"Service: {sum(states.values())} tickets ({by_state}), {articles} articles."]
