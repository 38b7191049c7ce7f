"""The permission matrix of the host's shared services over every registered object type.

Every demo user (``crm demo``'s admin, sales, service, marketing, power and viewer),
plus a sales agent, a clerk whose role reads its departments' records and changes
only its own, and a user of no department, calls attachments (list, download,
attach, remove), the timeline (read, write) and notifications (list, mark read) on
objects of every registered type — including records of the caller's department
owned by someone else. The expected answer of each call is worked out here from a
hand-written table of what each role grants and where each object lives, not from
the code under test: reading needs the object's plugin in one of the caller's
departments, the read permission and the record rule; changing needs the same with
the write permission. A hidden object is the same 404 as a missing one; an object
one may read but not change is a 403; every refusal (403, and 404 on an object that
exists) leaves exactly one ``access_denied`` audit entry.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from crm_host.core.db import utcnow
from crm_host.core.host import get_host
from crm_host.core.models import AuditLog, Department
from crm_host.demo.seed import DEMO_USERS
from crm_host.domain.directory import create_role, create_user
from crm_host.records.attachments import attach, storage_for
from crm_host.records.notifications import notify

#: What each role grants, as (read scope, write scope); ``None``: not at all.
ROLE_SCOPES = {
    "manager": ("all", "all"),
    "agent": ("all", "department"),
    "viewer": ("all", None),
    "clerk": ("department", "own"),
}
#: Which plugin each department has (the test installation's, as in ``crm demo``).
DEPARTMENT_PLUGINS = {
    "sales": "sales",
    "service": "service",
    "marketing": "marketing",
    "power": "industry_power",
}
#: Users beyond the demo's: username → (departments, role).
EXTRA_USERS = {
    "sales-agent": (("sales",), "agent"),
    "clerk": (("sales", "service"), "clerk"),
    "nobody": ((), None),
}


@dataclass
class Person:
    name: str
    departments: set[str]
    role: str | None
    admin: bool = False
    id: int = 0

    @property
    def plugins(self) -> set[str]:
        return {DEPARTMENT_PLUGINS[d] for d in self.departments}

    def scope(self, access: str) -> str | None:
        if self.admin:
            return "all"
        if self.role is None:
            return None
        return ROLE_SCOPES[self.role][0 if access == "read" else 1]


@dataclass
class Thing:
    """An object of a registered type, with what its record rule looks at."""

    label: str
    type: str
    plugin: str | None
    departments: set[str] = field(default_factory=set)
    owner: str | None = None
    read_rule: bool = False
    write_rule: bool = False
    #: Changed only through a permission no standard role holds (settings): admins only.
    write_admin_only: bool = False
    id: int = 0


def reaches(person: Person, thing: Thing, access: str) -> bool:
    """The rule, stated independently of the code: plugin, permission, record rule."""
    if person.admin:
        return True
    if access == "write" and thing.write_admin_only:
        return False
    if thing.plugin is not None and thing.plugin not in person.plugins:
        return False
    scope = person.scope(access)
    if scope is None:
        return False
    if not (thing.read_rule if access == "read" else thing.write_rule) or scope == "all":
        return True
    if scope == "department" and thing.departments & person.departments:
        return True
    return thing.owner == person.name


def _people(db) -> dict[str, Person]:
    create_role(
        db,
        name="clerk",
        label="Clerk",
        permissions=[
            {"permission": "*.read", "scope": "department"},
            {"permission": "*.write", "scope": "own"},
        ],
    )
    people = {}
    for name, (_label, departments, role, admin) in DEMO_USERS.items():
        people[name] = Person(name, set(departments), role, admin)
    for name, (departments, role) in EXTRA_USERS.items():
        people[name] = Person(name, set(departments), role)
    for person in people.values():
        person.id = create_user(
            db,
            username=person.name,
            password="matrix-password",
            departments=sorted(person.departments),
            role=person.role,
            is_admin=person.admin,
        ).id
    db.commit()
    return people


def _things(db, people: dict[str, Person]) -> list[Thing]:
    """One or more objects of every registered type, with their departments and owners."""
    from crm_industry_power.models import Account, Fault
    from crm_marketing.models import Campaign, Segment
    from crm_sales.models import Activity, Lead, Opportunity, Order, PriceList, Quote, Stage
    from crm_service.models import Article, Ticket, TicketType

    from crm_host.domain.customers import children, service

    dept = {d.code: d.id for d in db.scalars(sa.select(Department))}
    uid = {name: p.id for name, p in people.items()}
    things: list[Thing] = []

    def add(thing: Thing, row) -> None:
        db.add(row)
        db.flush()
        thing.id = row.id
        things.append(thing)

    ours = service.create_customer(
        db, {"code": "MX-A", "name": "销售部客户", "kind": "organization", "departments": ["sales"]}
    )
    clerks = service.create_customer(db, {"code": "MX-B", "name": "文员的客户", "kind": "person"})
    clerks.owner_id = uid["clerk"]
    host = {"plugin": None, "read_rule": False, "write_rule": True}
    add(Thing("customer of sales", "customer", departments={"sales"}, **host), ours)
    add(Thing("customer owned by clerk", "customer", owner="clerk", **host), clerks)
    contact = children.add_child(db, "contact", ours, {"name": "联系人"})
    address = children.add_child(db, "address", ours, {"line1": "人民路 1 号", "city": "苏州"})
    add(Thing("contact of sales customer", "contact", departments={"sales"}, **host), contact)
    add(Thing("address of sales customer", "address", departments={"sales"}, **host), address)

    ruled = {"plugin": "sales", "read_rule": True, "write_rule": True}
    add(
        Thing("lead: sales, clerk's", "sales.lead", departments={"sales"}, owner="clerk", **ruled),
        Lead(name="线索甲", department_id=dept["sales"], owner_id=uid["clerk"]),
    )
    add(
        Thing(
            "lead: sales, other owner", "sales.lead", departments={"sales"}, owner="sales", **ruled
        ),
        Lead(name="线索乙", department_id=dept["sales"], owner_id=uid["sales"]),
    )
    stage = Stage(code="mx", name="矩阵阶段")
    db.add(stage)
    db.flush()
    add(
        Thing(
            "opportunity: sales", "sales.opportunity", departments={"sales"}, owner="sales", **ruled
        ),
        Opportunity(
            name="商机",
            customer_id=ours.id,
            stage_id=stage.id,
            department_id=dept["sales"],
            owner_id=uid["sales"],
        ),
    )
    add(
        Thing("opportunity: marketing", "sales.opportunity", departments={"marketing"}, **ruled),
        Opportunity(
            name="市场商机", customer_id=ours.id, stage_id=stage.id, department_id=dept["marketing"]
        ),
    )
    prices = PriceList(code="MX", name="矩阵价目表")
    db.add(prices)
    db.flush()
    plain = {"plugin": "sales"}
    add(
        Thing("quote", "sales.quote", **plain),
        Quote(number="Q-MX", customer_id=ours.id, price_list_id=prices.id, currency="CNY"),
    )
    add(Thing("order", "sales.order", **plain), Order(number="O-MX", customer_id=ours.id))
    add(
        Thing("activity", "sales.activity", **plain),
        Activity(
            kind="call", subject="回访", customer_id=ours.id, due_at=utcnow() + timedelta(days=1)
        ),
    )

    kind = TicketType(code="mx", label="Matrix")
    db.add(kind)
    db.flush()
    queue = {"plugin": "service", "read_rule": True, "write_rule": True}
    add(
        Thing(
            "ticket: service queue",
            "service.ticket",
            departments={"service"},
            owner="service",
            **queue,
        ),
        Ticket(
            customer_id=ours.id,
            type_id=kind.id,
            subject="停电",
            department_id=dept["service"],
            assignee_id=uid["service"],
        ),
    )
    add(
        Thing("ticket: sales queue", "service.ticket", departments={"sales"}, **queue),
        Ticket(customer_id=ours.id, type_id=kind.id, subject="咨询", department_id=dept["sales"]),
    )
    add(
        Thing("kb article", "service.article", plugin="service", write_admin_only=True),
        Article(title="停电怎么办", body="先查看计划停电公告。", published=True),
    )
    segment = Segment(name="矩阵人群", kind="static")
    add(Thing("segment", "marketing.segment", plugin="marketing"), segment)
    add(
        Thing("campaign", "marketing.campaign", plugin="marketing"),
        Campaign(name="活动", channel="email", segment_id=segment.id, body="您好"),
    )
    add(
        Thing("power account", "power.account", plugin="industry_power"),
        Account(
            number="MX-0001",
            customer_id=ours.id,
            service_point="工业园 1 号",
            category="industrial",
            voltage_level="10kV",
            contracted_kva=Decimal("315.0"),
        ),
    )
    add(
        Thing("power fault", "power.fault", plugin="industry_power"),
        Fault(account_id=things[-1].id, customer_id=ours.id, description="停电"),
    )
    db.commit()
    return things


@pytest.fixture
def world(app, db):
    people = _people(db)
    things = _things(db, people)
    return people, things


class Calls:
    """Sends each request and checks the answer and the audit log together."""

    def __init__(self, app, db, people):
        from crm_host.testing import login

        self.db, self.findings, self.count = db, [], 0
        self.clients = {name: login(app.test_client(), self._user(p)) for name, p in people.items()}

    def _user(self, person):
        from crm_host.core.models import User

        return self.db.get(User, person.id)

    def denials(self) -> int:
        self.db.expire_all()
        return self.db.scalar(
            sa.select(sa.func.count())
            .select_from(AuditLog)
            .where(AuditLog.action == "access_denied")
        )

    def check(self, who: str, what: str, expected: int, method: str, url: str, **kw) -> object:
        before = self.denials()
        response = getattr(self.clients[who], method)(url, **kw)
        self.count += 1
        audited = self.denials() - before
        if response.status_code != expected:
            body = response.data[:160]
            self.findings.append(
                f"{what} as {who}: expected {expected}, got {response.status_code} {body}"
            )
        elif audited != (1 if expected in (403, 404) else 0):
            self.findings.append(f"{what} as {who}: {audited} access_denied entries for {expected}")
        return response


def _refused(person: Person, thing: Thing, *, service_permission: bool) -> int | None:
    """403 without the service's own permission, 404 for what one may not read, 403 for
    what one may read but not change; ``None``: allowed."""
    if not service_permission:
        return 403
    if not reaches(person, thing, "read"):
        return 404
    if not reaches(person, thing, "write"):
        return 403
    return None


def _file(app, db, thing: Thing) -> int:
    row = attach(
        db,
        storage_for(app),
        object_type=thing.type,
        object_id=str(thing.id),
        filename="现场照片.jpg",
        content_type="image/jpeg",
        stream=io.BytesIO(b"\xff\xd8 photo"),
    )
    db.commit()
    return row.id


def test_attachments_follow_each_objects_plugin_permission_and_record_rule(app, db, world):
    people, things = world
    assert {t.type for t in things} == set(get_host(app).objects.types)  # every registered type
    calls = Calls(app, db, people)
    files = {t.label: _file(app, db, t) for t in things}
    for who, person in people.items():
        reads = person.scope("read") is not None
        writes = person.scope("write") is not None
        for thing in things:
            target = {"object_type": thing.type, "object_id": str(thing.id)}
            visible = (
                200 if reads and reaches(person, thing, "read") else (403 if not reads else 404)
            )
            listed = calls.check(
                who,
                f"list files of {thing.label}",
                visible,
                "get",
                "/api/v1/attachments",
                query_string=target,
            )
            if listed.status_code == 200:
                assert [a["id"] for a in listed.json][:1] == [files[thing.label]]
            calls.check(
                who,
                f"download file of {thing.label}",
                visible,
                "get",
                f"/api/v1/attachments/{files[thing.label]}",
            )
            change = _refused(person, thing, service_permission=writes) or 201
            calls.check(
                who,
                f"attach to {thing.label}",
                change,
                "post",
                "/api/v1/attachments",
                data={**target, "file": (io.BytesIO(b"x"), "a.txt")},
                content_type="multipart/form-data",
            )
            doomed = _file(app, db, thing)
            calls.check(
                who,
                f"remove file of {thing.label}",
                204 if change == 201 else change,
                "delete",
                f"/api/v1/attachments/{doomed}",
            )
    assert calls.findings == []
    assert calls.count == 4 * len(people) * len(things) == 4 * 9 * 18


def test_timeline_reads_and_writes_follow_the_customers_rules(app, db, world):
    people, things = world
    calls = Calls(app, db, people)
    customers = [t for t in things if t.type == "customer"]
    for who, person in people.items():
        for thing in customers:
            url = f"/api/v1/customers/{thing.id}/timeline"
            reads = person.scope("read") is not None
            calls.check(who, f"timeline of {thing.label}", 200 if reads else 403, "get", url)
            change = _refused(person, thing, service_permission=person.scope("write") is not None)
            calls.check(
                who,
                f"write on timeline of {thing.label}",
                change or 201,
                "post",
                url,
                json={"channel": "phone", "subject": f"{who} called"},
            )
    assert calls.findings == []
    # Same-department / other-owner: the clerk changes its own customer, not its department's.
    assert not reaches(people["clerk"], customers[0], "write")
    assert reaches(people["clerk"], customers[1], "write")
    written = db.scalars(
        sa.select(AuditLog).where(
            AuditLog.action == "create", AuditLog.object_type == "interaction"
        )
    ).all()
    # admin, sales (manager), marketing (manager): both customers; sales-agent: its
    # department's; clerk: its own.
    assert sorted(e.actor for e in written) == sorted(
        ["admin", "admin", "sales", "sales", "marketing", "marketing", "sales-agent", "clerk"]
    )


def test_notifications_show_only_objects_their_user_may_read(app, db, world):
    people, things = world
    calls = Calls(app, db, people)
    notes = {}
    for who, person in people.items():
        user = calls._user(person)
        for thing in things:
            notes[who, thing.label] = notify(
                db,
                user,
                kind="test",
                title=f"关于 {thing.label}",
                plugin=thing.plugin,
                about=(thing.type, thing.id),
            ).id
    db.commit()
    for who, person in people.items():
        expected = {t.label for t in things if reaches(person, t, "read")}
        page = calls.check(who, "list notifications", 200, "get", "/api/v1/notifications?limit=100")
        shown = {n["title"].removeprefix("关于 ") for n in page.json["items"]}
        assert (who, shown) == (who, expected)
        assert page.json["unread"] == len(expected)
        for thing in things:
            calls.check(
                who,
                f"mark read: {thing.label}",
                200 if thing.label in expected else 404,
                "post",
                f"/api/v1/notifications/{notes[who, thing.label]}/read",
            )
    assert calls.findings == []
    # Hand-counted: what each caller may read of the 18 objects.
    counts = {who: sum(reaches(p, t, "read") for t in things) for who, p in people.items()}
    assert counts == {
        "admin": 18,
        "sales": 11,
        "service": 7,
        "marketing": 6,
        "power": 9,
        "viewer": 14,
        "sales-agent": 11,
        "clerk": 13,
        "nobody": 0,
    }
