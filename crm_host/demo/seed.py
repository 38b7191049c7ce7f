"""``crm demo``: a demo company — departments, users, customers and the built-in plugins."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from crm_host.core.host import get_host
from crm_host.core.models import Address, Contact, Customer, Department, Tag
from crm_host.demo.data import DemoCustomer, generate_customers
from crm_host.domain import lifecycle
from crm_host.domain.directory import create_department, create_user, ensure_standard_roles

#: Department code → (name, plugins enabled for it).
DEMO_DEPARTMENTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "sales": ("Sales", ("sales",)),
    "service": ("Service Centre", ("service",)),
    "marketing": ("Marketing", ("marketing",)),
    "power": ("Power Marketing", ("industry_power",)),
}
#: Username → (display name, departments, role, administrator).
DEMO_USERS: dict[str, tuple[str, tuple[str, ...], str, bool]] = {
    "admin": ("Administrator", tuple(DEMO_DEPARTMENTS), "manager", True),
    "sales": ("李娜 (Sales)", ("sales",), "manager", False),
    "service": ("王强 (Service Centre)", ("service",), "agent", False),
    "marketing": ("Emma Clarke (Marketing)", ("marketing",), "manager", False),
    "power": ("张伟 (Power Marketing)", ("power", "service"), "agent", False),
    "viewer": ("赵敏 (Viewer)", ("sales", "service"), "viewer", False),
}
DEMO_PASSWORD = "demo-password"


def seed_demo(app: Flask, *, customers: int = 300) -> list[str]:
    """Install the built-ins, create the demo company and its customers; idempotent.

    Returns lines telling what was done and how to sign in.
    """
    host = get_host(app)
    report: list[str] = []
    present = host.discovery.manifests
    for name in ("sales", "service", "marketing", "industry_power"):
        if name in present and name not in lifecycle.installed_names(host.db):
            lifecycle.install(host.db, host.discovery, name)
            report.append(f"Installed {name}.")
    session = host.session
    if session.scalar(sa.select(sa.func.count()).select_from(Department)) == 0:
        for code, (name, _plugins) in DEMO_DEPARTMENTS.items():
            create_department(session, code=code, name=name)
        ensure_standard_roles(session)
        for username, (name, departments, role, admin) in DEMO_USERS.items():
            create_user(
                session,
                username=username,
                name=name,
                password=DEMO_PASSWORD,
                departments=departments,
                is_admin=admin,
                role=role,
            )
        session.commit()
        for code, (_name, plugins) in DEMO_DEPARTMENTS.items():
            for plugin in plugins:
                if plugin in present:
                    lifecycle.enable(session, host.discovery, plugin, [code])
        session.commit()
        report.append(f"Created {len(DEMO_DEPARTMENTS)} departments and {len(DEMO_USERS)} users.")
    if session.scalar(sa.select(sa.func.count()).select_from(Customer)) == 0:
        add_customers(session, generate_customers(customers))
        session.commit()
        report.append(f"Created {customers} customers.")
    # End the transaction the counts above began: on SQLite it holds the write lock
    # the plugins' demo data needs next.
    session.commit()
    return report


def seed_plugins(app: Flask) -> list[str]:
    """Each installed plugin's demo data (``crm_seed_demo``), committed plugin by plugin.

    ``app`` must have been built after the plugins were installed, so that it loaded
    them. A plugin that fails is rolled back alone and named in the report: the rest
    of the demo is still worth showing.
    """
    report: list[str] = []
    with app.app_context():
        host = get_host(app)
        session = host.session
        for name, function, argnames in host.plugins.implementations("crm_seed_demo"):
            try:
                lines = function(**{a: {"session": session}[a] for a in argnames})
                session.commit()
            except Exception as error:  # reported below, and the demo goes on
                session.rollback()
                report.append(f"The demo data of {name} failed: {error}")
                continue
            report.extend(lines or ())
    return report


def sign_in_hint() -> str:
    """How to sign in to the demo company."""
    return f"Sign in as any of {', '.join(DEMO_USERS)} with password {DEMO_PASSWORD!r}."


def add_customers(session: sa.orm.Session, demo: list[DemoCustomer]) -> None:
    """Write generated customers with their contacts, addresses, tags and departments."""
    departments = {d.name: d for d in session.scalars(sa.select(Department))}
    tags: dict[str, Tag] = {t.name: t for t in session.scalars(sa.select(Tag))}
    by_code: dict[str, Customer] = {}
    for item in demo:
        for tag in item.tags:
            tags.setdefault(tag, Tag(name=tag))
        customer = Customer(
            code=item.code,
            kind=item.kind,
            name=item.name,
            email=item.email,
            phone=item.phone,
            city=item.city,
            region=item.region,
            lifecycle_stage=item.lifecycle_stage,
            tier=item.tier,
            gender=item.gender,
            birth_date=item.birth_date,
            occupation=item.occupation,
            education=item.education,
            preferred_language=item.preferred_language,
            parent=by_code.get(item.parent_code) if item.parent_code else None,
            tags=[tags[t] for t in item.tags],
            departments=[departments[d] for d in item.departments if d in departments],
            custom={"industry": item.industry} if item.industry else {},
        )
        customer.contacts = [
            Contact(
                name=c.name, title=c.title, email=c.email, phone=c.phone, is_primary=c.is_primary
            )
            for c in item.contacts
        ]
        customer.addresses = [
            Address(
                kind=a.kind,
                line1=a.line1,
                city=a.city,
                region=a.region,
                postal_code=a.postal_code,
                country=a.country,
            )
            for a in item.addresses
        ]
        by_code[item.code] = customer
        session.add(customer)
