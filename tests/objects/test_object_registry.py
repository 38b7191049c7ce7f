"""The object registry: what the host and each built-in plugin register, and what it refuses."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from crm_host.core.host import get_host
from crm_host.core.models import AuditLog, Customer, Tag
from crm_host.core.objects import ObjectRegistry, collect_objects
from crm_host.domain.host_types import register_host_types
from crm_host.plugins.facade import PluginError
from crm_host.security.permissions import PermissionRegistry


@pytest.mark.hookspec("crm_register_objects")
def test_the_host_and_the_built_ins_register_their_main_objects(app):
    types = get_host(app).objects.types
    owners = {name: spec.plugin for name, spec in types.items()}
    assert owners == {
        "customer": None,
        "contact": None,
        "address": None,
        "sales.lead": "sales",
        "sales.opportunity": "sales",
        "sales.quote": "sales",
        "sales.order": "sales",
        "sales.activity": "sales",
        "service.ticket": "service",
        "service.article": "service",
        "marketing.campaign": "marketing",
        "marketing.segment": "marketing",
        "power.account": "industry_power",
        "power.fault": "industry_power",
    }
    ticket = types["service.ticket"]
    assert (ticket.read, ticket.write, ticket.model.__tablename__) == (
        "service.tickets.read",
        "service.tickets.write",
        "service_tickets",
    )
    assert ticket.rule is not None and types["power.account"].rule is None


def _plugins(register):
    """A stand-in plugin manager with one plugin ``fx`` (slug ``fx``) implementing the hook."""
    return SimpleNamespace(
        implementations=lambda hook: [("fx", lambda registry: register(registry), ["registry"])],
        manifest=lambda name: SimpleNamespace(slug="fx"),
    )


def _permissions():
    from crm_host.security.permissions import HOST_PERMISSIONS, Permission

    registry = PermissionRegistry()
    registry.add("the host", "host", HOST_PERMISSIONS)
    registry.add(
        "plugin fx", "fx", [Permission("fx.tags.read", "r"), Permission("fx.tags.write", "w")]
    )
    return registry


@pytest.mark.hookspec("crm_register_objects")
def test_a_plugin_type_is_named_by_its_slug_and_owned_by_it():
    registry = collect_objects(
        _plugins(
            lambda registry: registry.add("fx.tag", Tag, read="fx.tags.read", write="fx.tags.write")
        ),
        _permissions(),
        register_host_types,
    )
    assert (registry.get("fx.tag").plugin, registry.get("fx.tag").label) == ("fx", "fx.tag")
    assert registry.get("customer").plugin is None


@pytest.mark.parametrize(
    ("register", "message"),
    [
        (
            lambda r: r.add("tag", Tag, read="fx.tags.read", write="fx.tags.delete"),
            "plugin fx: object type fx.tag: permission 'fx.tags.delete' is not declared",
        ),
        (
            lambda r: (
                r.add("tag", Tag, read="fx.tags.read", write="fx.tags.write"),
                r.add("tag", Tag, read="fx.tags.read", write="fx.tags.write"),
            ),
            "plugin fx: an object type named fx.tag is registered already",
        ),
        (
            lambda r: r.add("Tag Thing", Tag, read="fx.tags.read", write="fx.tags.write"),
            "plugin fx: object type 'Tag Thing' must be lower-case",
        ),
        (
            lambda r: r.add("tag", object, read="fx.tags.read", write="fx.tags.write"),
            "plugin fx: object type fx.tag: <class 'object'> is no model",
        ),
        (
            lambda r: r.add(
                "tag",
                Tag,
                read="fx.tags.read",
                write="fx.tags.write",
                rule=lambda session, user, permission, ids: ids,
                searchable=(Tag.name,),
            ),
            "object type fx.tag: a searchable type's record rule must be built with where_rule",
        ),
        (
            lambda r: r.add(
                "tag", Tag, read="fx.tags.read", write="fx.tags.write", searchable=(Customer.name,)
            ),
            "plugin fx: object type fx.tag: Customer.name is no column of it",
        ),
        (
            lambda r: r.add(
                "tag", Tag, read="fx.tags.read", write="fx.tags.write", console_url="/t/{slug}"
            ),
            "plugin fx: object type fx.tag: '/t/{slug}' names ['slug']",
        ),
        (lambda r: 1 / 0, "plugin fx failed to register its object types: division by zero"),
    ],
)
def test_a_bad_registration_stops_start_up_naming_the_plugin(register, message):
    with pytest.raises(PluginError) as raised:
        collect_objects(_plugins(register), _permissions(), register_host_types)
    assert message in str(raised.value)


def test_a_type_links_and_labels_one_object_from_its_columns(app):
    types = get_host(app).objects.types
    contact = types["contact"]
    values = {"id": 7, "customer_id": 3}
    assert set(contact.link_columns()) == {"id", "customer_id"}
    assert contact.link("console", values) == "/customers/3"
    assert contact.link("api", values) == "/api/v1/customers/3/contacts/7"
    assert types["sales.activity"].link("console", {"id": 1}) is None
    searchable = sorted(name for name, spec in types.items() if spec.is_searchable)
    assert searchable == [
        "contact",
        "customer",
        "marketing.campaign",
        "marketing.segment",
        "power.account",
        "sales.lead",
        "sales.opportunity",
        "sales.quote",
        "service.article",
        "service.ticket",
    ]
    # Lead and ticket rules are SQL, so search can join them before counting.
    assert types["sales.lead"].condition is not None
    assert types["service.ticket"].condition is not None


def test_the_host_types_cannot_be_taken_by_a_plugin_slugless_name():
    registry = ObjectRegistry(_permissions())
    registry.add("customer", Customer, read="host.customers.read", write="host.customers.write")
    with pytest.raises(PluginError, match="an object type named customer is registered already"):
        registry.add("customer", Customer, read="host.customers.read", write="host.customers.write")


def _denials(db):
    db.expire_all()
    return [
        (e.actor, e.after["path"], e.after["reason"], e.plugin)
        for e in db.scalars(
            sa.select(AuditLog).where(AuditLog.action == "access_denied").order_by(AuditLog.id)
        )
    ]


def test_an_unknown_object_type_is_a_422_naming_the_field(db, make_user, client_for):
    client = client_for(make_user("ann", departments=["sales"], role="manager"))
    listed = client.get("/api/v1/attachments?object_type=service.tickets&object_id=1")
    assert listed.status_code == 422
    assert list(listed.json["errors"]) == ["object_type"]
    assert "customer, marketing.campaign" in listed.json["errors"]["object_type"][0]
    posted = client.post(
        "/api/v1/attachments",
        data={
            "object_type": "nothing",
            "object_id": "1",
            "file": (__import__("io").BytesIO(b"x"), "a.txt"),
        },
        content_type="multipart/form-data",
    )
    assert posted.status_code == 422 and list(posted.json["errors"]) == ["object_type"]
    assert _denials(db) == []
