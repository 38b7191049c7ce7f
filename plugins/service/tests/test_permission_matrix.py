"""Every service API route answers every department × role as its permission promises."""

from __future__ import annotations

import sqlalchemy as sa
from crm_service import chain, kb, sla, tickets, types, visits

from crm_host.sdk import Department
from crm_host.testing.host_objects import HOST_FACTORIES, HOST_PAYLOADS, make_customer
from crm_host.testing.matrix import ObjectRef, PermissionMatrix, api_routes, matrix_users


def _serial(session, name):
    counter = session.info.setdefault(name, [0])
    counter[0] += 1
    return counter[0]


def make_ticket(session, objects, user):
    """An unassigned ticket in the Service Centre's queue."""
    customer = make_customer(session, objects, user)
    ticket = tickets.open_ticket(
        session,
        customer_id=int(customer.id),
        ticket_type="inquiry",
        subject="矩阵工单",
        department="service",
    )
    return ObjectRef(ticket.id, owner_id=None, department_ids=(ticket.department_id,))


def make_type(session, objects, user):
    n = _serial(session, "matrix_service_types")
    return ObjectRef(types.save_type(session, {"code": f"mx_type_{n}", "label": f"T{n}"}).id)


def make_policy(session, objects, user):
    n = _serial(session, "matrix_service_policies")
    row = sla.save_policy(
        session,
        {"name": f"mx policy {n}", "first_response_minutes": 5, "resolution_minutes": 50},
    )
    return ObjectRef(row.id)


def make_step(session, objects, user):
    n = _serial(session, "matrix_service_steps")
    return ObjectRef(chain.save_step(session, {"name": f"mx step {n}", "after_minutes": n}).id)


def make_visit(session, objects, user):
    """A return visit of a resolved ticket in the Service Centre's queue."""
    customer = make_customer(session, objects, user)
    ticket = tickets.open_ticket(
        session,
        customer_id=int(customer.id),
        ticket_type="inquiry",
        subject="回访矩阵",
        department="service",
    )
    tickets.transition(session, ticket, "resolved")
    visit = visits.schedule(session, ticket, at=ticket.created_at)
    return ObjectRef(visit.id, owner_id=None, department_ids=(ticket.department_id,))


def make_article(session, objects, user):
    n = _serial(session, "matrix_service_articles")
    return ObjectRef(
        kb.save_article(session, {"title": f"文章 {n}", "body": "正文", "published": True}).id
    )


FACTORIES = {
    "article_id": make_article,
    "visit_id": make_visit,
    "ticket_id": make_ticket,
    "type_id": make_type,
    "policy_id": make_policy,
    "step_id": make_step,
}
PAYLOADS = {
    ("service_tickets.Tickets", "POST"): lambda s, o, n: {
        "customer_id": int(make_customer(s, o, None).id),
        "ticket_type": "complaint",
        "subject": f"投诉 {n}",
    },
    ("service_tickets.TicketResource", "PATCH"): lambda s, o, n: {"priority": "high"},
    ("service_tickets.Transitions", "POST"): lambda s, o, n: {"status": "in_progress"},
    ("service_tickets.Assignment", "PUT"): lambda s, o, n: {"assignee_id": None},
    ("service_tickets.BulkReassignment", "POST"): lambda s, o, n: {
        "ticket_ids": [int(make_ticket(s, o, None).id)],
        "assignee_id": None,
    },
    ("service_tickets.Messages", "POST"): lambda s, o, n: {"body": f"回复 {n}"},
    ("service_ticket_types.TicketTypes", "POST"): lambda s, o, n: {
        "code": f"mx_new_{n}",
        "label": f"New {n}",
    },
    ("service_ticket_types.TicketTypeResource", "PATCH"): lambda s, o, n: {"label": "改名"},
    ("service_sla_policies.Policies", "POST"): lambda s, o, n: {
        "name": f"mx new {n}",
        "first_response_minutes": 10,
        "resolution_minutes": 100,
    },
    ("service_sla_policies.PolicyResource", "PATCH"): lambda s, o, n: {"resolution_minutes": 90},
    ("service_lookup.Lookup", "GET"): lambda s, o, n: {"phone": "13800000000"},
    ("service_escalation_steps.EscalationSteps", "POST"): lambda s, o, n: {
        "name": f"mx new step {n}",
        "after_minutes": 15,
        "raise_priority": True,
    },
    ("service_escalation_steps.EscalationStepResource", "PATCH"): lambda s, o, n: {
        "after_minutes": 45
    },
    ("service_surveys.SurveyResults", "GET"): lambda s, o, n: {"by": "queue"},
    ("service_portal_links.PortalLinks", "POST"): lambda s, o, n: {
        "customer_id": int(make_customer(s, o, None).id)
    },
    ("service_kb_articles.Articles", "GET"): lambda s, o, n: {"q": "电表"},
    ("service_kb_articles.Articles", "POST"): lambda s, o, n: {
        "title": f"新文章 {n}",
        "body": "正文",
        "published": True,
    },
    ("service_kb_articles.ArticleResource", "PATCH"): lambda s, o, n: {"category": "计量"},
    ("service_return_visits.ReturnVisitOutcome", "PUT"): lambda s, o, n: {
        "outcome": "reached",
        "note": f"回访 {n}",
    },
}


def test_service_routes_answer_every_role_as_promised(app, db):
    routes = [r for r in api_routes(app) if r.plugin == "service"]
    assert len(routes) >= 20
    users = matrix_users(db)
    matrix = PermissionMatrix(
        app,
        db,
        users,
        {**HOST_FACTORIES, **FACTORIES},
        {**HOST_PAYLOADS, **PAYLOADS},
        routes=routes,
    )
    assert "\n".join(map(str, matrix.run())) == ""


def test_the_record_rule_keeps_agents_to_their_queue(app, db, client_for, make_user, customer):
    # An agent of a second service department may write only that queue's tickets.
    other = Department(code="hotline", name="Hotline")
    db.add(other)
    db.flush()
    from crm_host.domain import lifecycle
    from crm_host.sdk import get_host

    lifecycle.enable(db, get_host(app).discovery, "service", ["hotline"])
    db.commit()
    ticket = tickets.open_ticket(
        db, customer_id=customer.id, ticket_type="inquiry", subject="x", department="service"
    )
    db.commit()
    outsider = client_for(make_user("hotline-hal", departments=["hotline"], role="agent"))
    refused = outsider.post(f"/api/v1/service/tickets/{ticket.id}/claim")
    assert refused.status_code == 403 and "for this record" in refused.json["message"]
    # Reading is granted everywhere (*.read is scope all for agents).
    assert outsider.get(f"/api/v1/service/tickets/{ticket.id}").status_code == 200
    assert db.scalar(sa.select(Department.id).where(Department.code == "hotline"))
