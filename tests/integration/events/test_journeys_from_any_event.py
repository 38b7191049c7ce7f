"""Journeys start from any event about customers — service's, sales', a third-party
plugin's — while marketing's code names none of those plugins, their events or tables."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import sqlalchemy as sa

from crm_host.core.db import Base
from crm_host.core.objects.access import object_registry
from crm_host.runtime.facade import emit


def _journey(db, name, event, value=None):
    from crm_marketing import journeys

    journey = journeys.create_journey(
        db,
        {
            "name": name,
            "trigger": "event",
            "event": event,
            "event_value": value,
            "status": "active",
            "steps": [{"wait": {"days": 1}}, {"tag": {"name": name}}],
        },
    )
    db.commit()
    return journey


def _walkers(db, journey):
    from crm_marketing.models import JourneyEntry

    db.expire_all()
    return sorted(
        db.scalars(sa.select(JourneyEntry.customer_id).where(JourneyEntry.journey_id == journey.id))
    )


@pytest.mark.hookspec("crm_service_ticket_resolved")
@pytest.mark.hookspec("crm_sales_opportunity_won")
def test_a_resolved_ticket_and_a_won_deal_start_journeys(db, make_customer):
    from crm_sales import pipeline
    from crm_service import tickets

    resolved = _journey(db, "工单回访", "crm_service_ticket_resolved")
    won = _journey(db, "赢单关怀", "crm_sales_opportunity_won")
    zhao, qian = make_customer(name="赵"), make_customer(name="钱")

    ticket = tickets.open_ticket(db, customer_id=zhao.id, ticket_type="inquiry", subject="电费")
    db.commit()
    assert _walkers(db, resolved) == []  # opened, not yet resolved
    tickets.transition(db, ticket, "resolved")
    db.commit()
    assert _walkers(db, resolved) == [zhao.id]

    deal = pipeline.create_opportunity(db, {"name": "屋顶光伏", "customer_id": qian.id})
    db.commit()
    assert _walkers(db, won) == []
    pipeline.win(db, deal)
    db.commit()
    assert (_walkers(db, won), _walkers(db, resolved)) == ([qian.id], [zhao.id])


@pytest.mark.hookspec("crm_event_about_customers")
def test_a_third_party_event_starts_a_journey_on_the_value_it_offers(db, make_customer, badges):
    from crm_marketing import triggers

    offered = {t["event"]: t for t in (t.as_dict() for t in triggers.available(db))}
    assert offered["crm_fxbd_badge_earned"] == {
        "event": "crm_fxbd_badge_earned",
        "label": "Badge earned",
        "plugin": "fx_badges",
        "option": "Badge",
        "choices": ["gold", "silver"],
    }
    assert offered["crm_fxbd_noted"]["label"] == "crm_fxbd_noted"  # unlabelled: its name
    assert "crm_fxbd_ticked" not in offered  # about no customer
    gold = _journey(db, "金牌", "crm_fxbd_badge_earned", "gold")
    any_badge = _journey(db, "任意徽章", "crm_fxbd_badge_earned")
    sun, li = make_customer(name="孙"), make_customer(name="李")
    emit(db, "crm_fxbd_badge_earned", badge_id=1, badge="silver", customer_ids=[sun.id])
    db.commit()
    assert (_walkers(db, gold), _walkers(db, any_badge)) == ([], [sun.id])
    emit(db, "crm_fxbd_badge_earned", badge_id=2, badge="gold", customer_ids=[li.id, sun.id])
    emit(db, "crm_fxbd_badge_earned", badge_id=2, badge="gold", customer_ids=[li.id, sun.id])
    db.commit()
    assert _walkers(db, gold) == sorted([li.id, sun.id])  # once each, delivered twice
    assert _walkers(db, any_badge) == sorted([li.id, sun.id])


def _docstrings(tree):
    """The docstring nodes of a module, its classes and functions (prose, not code)."""
    found = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            value = body[0].value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                found.add(id(value))
    return found


def _words(path):
    """Every identifier, imported module and string constant of a module's code."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    prose = _docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) not in prose:
                yield node.value
        elif isinstance(node, ast.Name):
            yield node.id
        elif isinstance(node, ast.Attribute):
            yield node.attr
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            # Whole dotted names: the host's ``customers.service`` is not a plugin.
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def _names_of_other_plugins(app, db):
    """Package, hooks, tables and object types of every loaded plugin but marketing."""
    plugins = app.extensions["crm"].plugins
    forbidden = {}
    for plugin in plugins.loaded:
        if plugin.name == "marketing":
            continue
        package = plugin.manifest.package
        names = {package}
        names |= {h for h in vars(plugins.hook) if plugins.owner_of_hook(h) is plugin}
        names |= {
            mapper.local_table.name
            for mapper in Base.registry.mappers
            if mapper.class_.__module__.startswith(package + ".")
        }
        names |= {t.name for t in object_registry(db) if t.plugin == plugin.name}
        forbidden[plugin.name] = names
    return forbidden


def test_marketing_names_no_other_plugin_nor_its_events_or_tables(app, db):
    import crm_marketing

    forbidden = _names_of_other_plugins(app, db)
    assert "crm_service_ticket_resolved" in forbidden["service"]
    assert {"sales_opportunities", "crm_sales_opportunity_won"} <= forbidden["sales"]
    assert "service.ticket" in forbidden["service"]
    package = Path(crm_marketing.__file__).parent
    found = []
    for path in sorted(package.rglob("*.py")):
        for word in _words(path):
            for plugin, names in forbidden.items():
                if word == plugin or any(name in word for name in names):
                    found.append((path.relative_to(package).as_posix(), word))
    for path in sorted(package.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        found += [
            (path.relative_to(package).as_posix(), name)
            for names in forbidden.values()
            for name in names
            if name in text
        ]
    # The manifest's ``uses`` is the one place naming plugins: which to install with it.
    assert found == [("__init__.py", "sales"), ("__init__.py", "service")]
