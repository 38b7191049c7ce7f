"""Demo data of the sales plugin: products, a year of orders, leads and open deals.

Written through the plugin's own service functions (validation, audit, timeline), as a
user's work would be, from a generator seeded once: the same demo every time, with
dates counted back from today so recency and the forecast look current. The orders
feed the host's transaction union, so marketing's RFM and lifetime value have
something to score.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.sdk import Customer, User, utcnow
from crm_sales import leads, orders, pipeline
from crm_sales.models import Lead, Order, Product

SEED = 2026
#: (code, name, unit price in CNY)
PRODUCTS = (
    ("METER-3P", "三相智能电表 Three-phase smart meter", Decimal("1280.00")),
    ("AUDIT-E", "能效诊断 Energy audit", Decimal("8800.00")),
    ("PV-10K", "10 kW 光伏套件 Solar kit", Decimal("36500.00")),
    ("CAP-BANK", "无功补偿柜 Capacitor bank", Decimal("15600.00")),
    ("SVC-YEAR", "年度运维服务 Annual maintenance", Decimal("4200.00")),
    ("EV-7K", "7 kW 充电桩 EV charger", Decimal("3980.00")),
)
LEAD_SOURCES = ("web", "referral", "trade fair", "phone", "wechat")
#: Share of customers who bought in the last year, and most orders one customer placed.
BUYERS = 0.6
MAX_ORDERS = 12


def seed(session: Session) -> list[str]:
    """Seed the demo company's sales data once; nothing when products or orders exist."""
    if session.scalar(sa.select(sa.func.count()).select_from(Product)) or session.scalar(
        sa.select(sa.func.count()).select_from(Order)
    ):
        return []
    rng = random.Random(SEED)
    owner = session.scalar(sa.select(User).where(User.username == "sales"))
    products = [
        orders.create_product(
            session, {"code": code, "name": name, "unit_price": price, "currency": "CNY"}
        )
        for code, name, price in PRODUCTS
    ]
    customer_ids = list(session.scalars(sa.select(Customer.id).order_by(Customer.id)))
    now = utcnow()
    # One generator through all three, in this order: the same demo every time.
    placed = _seed_orders(session, rng, owner, products, customer_ids, now)
    _seed_leads(session, rng, owner)
    deals = _seed_deals(session, rng, owner, products, customer_ids, now)
    return [
        f"Sales: {len(products)} products, {placed} orders over the last year, "
        f"{session.scalar(sa.select(sa.func.count()).select_from(Lead))} leads, "
        f"{deals} opportunities."
    ]


def _seed_orders(
    session: Session,
    rng: random.Random,
    owner: User | None,
    products: list[Product],
    customer_ids: list[int],
    now: datetime,
) -> int:
    """A year of orders from most customers; returns how many were placed."""
    placed = 0
    for customer_id in customer_ids:
        if rng.random() >= BUYERS:
            continue
        # Few customers buy often and many rarely, as in a real book of customers.
        for _ in range(min(MAX_ORDERS, int(rng.paretovariate(1.2)))):
            lines = [
                {
                    "product_id": product.id,
                    "quantity": rng.choice((1, 1, 1, 2, 3, 5)),
                    "discount_percent": rng.choice((0, 0, 0, 5, 10)),
                }
                for product in rng.sample(products, rng.randint(1, 3))
            ]
            orders.create_order(
                session,
                {
                    "customer_id": customer_id,
                    "currency": "CNY",
                    "ordered_at": now
                    - timedelta(days=rng.randint(0, 364), hours=rng.randint(0, 23)),
                    "lines": lines,
                },
                actor=owner,
            )
            placed += 1
    return placed


def _seed_leads(session: Session, rng: random.Random, owner: User | None) -> None:
    """A dozen leads in the Sales department."""
    for n in range(12):
        leads.create_lead(
            session,
            {
                "name": f"示例线索 Demo lead {n + 1}",
                "company": f"示例公司 {n + 1}",
                "email": f"lead{n + 1}@example.com",
                "source": rng.choice(LEAD_SOURCES),
                "department": "sales",
            },
            actor=owner,
        )


def _seed_deals(
    session: Session,
    rng: random.Random,
    owner: User | None,
    products: list[Product],
    customer_ids: list[int],
    now: datetime,
) -> int:
    """Open deals with some customers, a few of them won or lost; returns how many."""
    open_stages = [s.code for s in pipeline.stages(session) if not s.is_closed]
    deals = 0
    for customer_id in rng.sample(customer_ids, min(18, len(customer_ids))):
        product = rng.choice(products)
        opportunity = pipeline.create_opportunity(
            session,
            {
                "name": f"{product.name.split()[0]} × {rng.randint(2, 40)}",
                "customer_id": customer_id,
                "amount": product.unit_price * rng.randint(2, 40),
                "currency": "CNY",
                "expected_close": (now + timedelta(days=rng.randint(7, 120))).date(),
                "stage": rng.choice(open_stages),
                "department": "sales",
            },
            actor=owner,
        )
        outcome = rng.random()
        if outcome < 0.15:
            pipeline.win(session, opportunity, actor=owner)
        elif outcome < 0.25:
            pipeline.lose(session, opportunity, "价格 Price", actor=owner)
        deals += 1
    return deals
