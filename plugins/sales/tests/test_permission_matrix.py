"""Every sales API route answers every department × role as its permission promises."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from crm_sales import activities, leads, orders, pipeline, pricing, quotes, stages

from crm_host.sdk import Department, User
from crm_host.sdk.customers import customer_service as customers
from crm_host.testing.host_objects import HOST_FACTORIES
from crm_host.testing.matrix import ObjectRef, PermissionMatrix, api_routes, matrix_users

DUE = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


def _serial(session: sa.orm.Session) -> int:
    serial = session.info.setdefault("sales_matrix_serial", [0])
    serial[0] += 1
    return serial[0]


def _sales_id(session: sa.orm.Session) -> int:
    return session.scalar(sa.select(Department.id).where(Department.code == "sales"))


def _customer(session: sa.orm.Session) -> int:
    n = _serial(session)
    return customers.create_customer(
        session, {"code": f"SMX{n:06d}", "name": f"销售矩阵{n}", "kind": "person"}
    ).id


def make_lead(session: sa.orm.Session, objects: dict[str, ObjectRef], user: User) -> ObjectRef:
    """A qualified lead of the Sales department, owned by nobody."""
    lead = leads.create_lead(session, {"name": f"线索{_serial(session)}", "department": "sales"})
    lead.owner_id = None
    leads.set_status(session, lead, "qualified")
    return ObjectRef(lead.id, owner_id=None, department_ids=(_sales_id(session),))


def make_opportunity(
    session: sa.orm.Session, objects: dict[str, ObjectRef], user: User
) -> ObjectRef:
    """An open opportunity of the Sales department, owned by nobody."""
    deal = pipeline.create_opportunity(
        session,
        {
            "name": "矩阵商机",
            "customer_id": _customer(session),
            "department": "sales",
            "owner_id": None,
            "amount": "100",
        },
    )
    return ObjectRef(deal.id, owner_id=None, department_ids=(_sales_id(session),))


def make_order(session: sa.orm.Session, objects: dict[str, ObjectRef], user: User) -> ObjectRef:
    """An order of one line."""
    order = orders.create_order(
        session,
        {"customer_id": _customer(session), "lines": [{"description": "x", "unit_price": "1"}]},
    )
    return ObjectRef(order.id)


def make_stage(session: sa.orm.Session, objects: dict[str, ObjectRef], user: User) -> ObjectRef:
    """An open stage at the end of the board."""
    n = _serial(session)
    stage = stages.create_stage(session, {"code": f"mx{n}", "name": f"Stage {n}", "position": 500})
    return ObjectRef(stage.id)


def make_activity(session: sa.orm.Session, objects: dict[str, ObjectRef], user: User) -> ObjectRef:
    """A call about a fresh customer, not done yet."""
    activity = activities.create_activity(
        session,
        {"kind": "call", "subject": "回访", "due_at": DUE, "customer_id": _customer(session)},
    )
    return ObjectRef(activity.id)


def make_price_list(
    session: sa.orm.Session, objects: dict[str, ObjectRef], user: User
) -> ObjectRef:
    """A price list with one product on it (the default list when it is the first)."""
    n = _serial(session)
    price_list = pricing.create_price_list(session, {"code": f"MXL{n}", "name": f"价目{n}"})
    product = orders.create_product(
        session, {"code": f"MXQ{n}", "name": "产品", "unit_price": "10"}
    )
    pricing.set_price(session, price_list, product.id, "8.00")
    return ObjectRef(price_list.id)


def make_quote(session: sa.orm.Session, objects: dict[str, ObjectRef], user: User) -> ObjectRef:
    """A sent quote of one line, from a list of its own."""
    list_ref = make_price_list(session, objects, user)
    price_list = pricing.get_price_list(session, list_ref.id)
    quote = quotes.create_quote(
        session,
        {
            "customer_id": _customer(session),
            "price_list_id": price_list.id,
            "lines": [{"product_id": price_list.prices[0].product_id, "quantity": 2}],
        },
    )
    quotes.set_status(session, quote, "sent")
    return ObjectRef(quote.id)


def _quote_payload(session: sa.orm.Session, n: int) -> dict[str, Any]:
    price_list = pricing.create_price_list(session, {"code": f"MXN{n}", "name": f"报价{n}"})
    product = orders.create_product(session, {"code": f"MXR{n}", "name": "产品", "unit_price": "1"})
    pricing.set_price(session, price_list, product.id, "3.00")
    session.flush()
    return {
        "customer_id": _customer(session),
        "price_list_id": price_list.id,
        "lines": [{"product_id": product.id}],
    }


def make_department(
    session: sa.orm.Session, objects: dict[str, ObjectRef], user: User
) -> ObjectRef:
    """The Sales department, whose assignment is looked at or changed."""
    return ObjectRef(_sales_id(session))


SALES_FACTORIES = {
    "department_id": make_department,
    "user_id": HOST_FACTORIES["user_id"],
    "price_list_id": make_price_list,
    "quote_id": make_quote,
    "activity_id": make_activity,
    "customer_id": HOST_FACTORIES["customer_id"],
    "stage_id": make_stage,
    "lead_id": make_lead,
    "opportunity_id": make_opportunity,
    "order_id": make_order,
}


def _payload(build):
    def payload(session: sa.orm.Session, objects: dict[str, ObjectRef], n: int) -> dict[str, Any]:
        return build(session, n)

    return payload


SALES_PAYLOADS = {
    ("sales_api.Leads", "POST"): _payload(
        lambda s, n: {"name": f"新线索{n}", "department": "sales"}
    ),
    ("sales_api.LeadResource", "PATCH"): _payload(lambda s, n: {"campaign": f"c{n}"}),
    ("sales_api.CustomerPriceListResource", "PUT"): _payload(lambda s, n: {"price_list_id": None}),
    ("sales_api.LeadStatusChange", "POST"): _payload(lambda s, n: {"status": "contacted"}),
    ("sales_api.LeadConversion", "POST"): _payload(lambda s, n: {"amount": "100.00"}),
    ("sales_api.Opportunities", "POST"): _payload(
        lambda s, n: {"name": f"商机{n}", "customer_id": _customer(s)}
    ),
    ("sales_api.OpportunityResource", "PATCH"): _payload(lambda s, n: {"amount": "200.00"}),
    ("sales_api.OpportunityStage", "POST"): _payload(lambda s, n: {"stage": "proposal"}),
    ("sales_api.OpportunityLost", "POST"): _payload(lambda s, n: {"reason": "价格"}),
    ("sales_api.Products", "POST"): _payload(
        lambda s, n: {"code": f"MXP{n}", "name": "产品", "unit_price": "9.90"}
    ),
    ("sales_api.Stages", "POST"): _payload(
        lambda s, n: {"code": f"mxp{n}", "name": f"新阶段{n}", "probability": 40}
    ),
    ("sales_api.StageResource", "PATCH"): _payload(lambda s, n: {"probability": 35}),
    ("sales_api.ScoringRules", "POST"): _payload(
        lambda s, n: {"field": "source", "operator": "equals", "value": f"s{n}", "points": 5}
    ),
    ("sales_api.PriceLists", "POST"): _payload(
        lambda s, n: {"code": f"MXP{n}", "name": f"价目表{n}", "currency": "CNY"}
    ),
    ("sales_api.PriceListPrices", "POST"): _payload(
        lambda s, n: {
            "product_id": orders.create_product(
                s, {"code": f"MXS{n}", "name": "产品", "unit_price": "1"}
            ).id,
            "unit_price": "2.00",
        }
    ),
    ("sales_api.Quotes", "POST"): _payload(_quote_payload),
    ("sales_api.QuoteStatusChange", "POST"): _payload(lambda s, n: {"status": "rejected"}),
    ("sales_api.DepartmentAssignment", "POST"): _payload(lambda s, n: {"method": "least_loaded"}),
    ("sales_api.SellerCapacity", "POST"): _payload(lambda s, n: {"capacity": 50}),
    ("sales_api.Activities", "POST"): _payload(
        lambda s, n: {
            "kind": "task",
            "subject": f"任务{n}",
            "due_at": DUE.isoformat(),
            "customer_id": _customer(s),
        }
    ),
    ("sales_api.Orders", "POST"): _payload(
        lambda s, n: {
            "customer_id": _customer(s),
            "lines": [{"description": "x", "unit_price": "1"}],
        }
    ),
}


def test_sales_routes_answer_every_role_as_promised(app, db):
    routes = [r for r in api_routes(app) if r.plugin == "sales"]
    assert len(routes) >= 20
    users = matrix_users(db)
    findings = PermissionMatrix(
        app, db, users, SALES_FACTORIES, SALES_PAYLOADS, routes=routes
    ).run()
    assert "\n".join(map(str, findings)) == ""
