"""Hook implementations of the marketing plugin: what it contributes to the host."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import click
import pluggy
import sqlalchemy as sa
from flask import Blueprint
from sqlalchemy.orm import Session

from crm_host.sdk import (
    Customer,
    Department,
    JobRegistry,
    ObjectRegistry,
    Permission,
    User,
    can,
    get_host,
    hookimpl,
)
from crm_host.sdk.customers import Criterion
from crm_host.sdk.web import MenuItem, Panel
from crm_marketing import (
    delivery,
    hookspecs,
    jobs,
    journeys,
    privacy,
    rfm,
    tracking,
)
from crm_marketing.criteria import builtin_criteria
from crm_marketing.i18n import _l
from crm_marketing.models import Campaign, Segment, Send
from crm_marketing.permissions import CAMPAIGNS_READ, PERMISSIONS, RFM_READ, SEGMENTS_READ


@hookimpl
def crm_seed_demo(session: Session) -> list[str]:
    """Segments, a draft campaign and scores from the seeded orders, for ``crm demo``."""
    from crm_marketing import demo

    return demo.seed(session)


@hookimpl
def crm_addhooks(pm: pluggy.PluginManager) -> None:
    """Publish ``crm_marketing_*``: the campaign-sent event and the channel registry."""
    pm.add_hookspecs(hookspecs)


@hookimpl
def crm_marketing_channels(registry: Any) -> None:
    """Email (the host's email outbox) and SMS (``marketing_sms_outbox``)."""
    registry.add(
        "email",
        label=_l("Email"),
        address=Customer.email,
        deliver=delivery.builtin("email"),
        subject=True,
    )
    registry.add("sms", label=_l("SMS"), address=Customer.phone, deliver=delivery.builtin("sms"))


@hookimpl
def crm_register_benchmarks(registry: Any) -> None:
    """The segment count vs DuckDB, the campaign send and the CLV fit, for ``crm bench``."""
    from crm_marketing import bench, bench_clv

    registry.add(
        "segment_count", bench.bench_segment_count, description="RFM segment count vs DuckDB"
    )
    registry.add(
        "campaign_send", bench.bench_campaign_send, description="campaign send, messages a second"
    )
    registry.add(
        "lifetime_value",
        bench_clv.bench_lifetime_value,
        description="CLV fit on CDNOW vs lifetimes",
    )


@hookimpl
def crm_segment_criteria() -> list[Criterion]:
    """Marketing's own criteria, offered the way any plugin offers its own."""
    return builtin_criteria()


@hookimpl
def crm_register_blueprints() -> list[Blueprint]:
    """The REST API (``/api/v1/marketing/…``) and the console pages (``/marketing/…``)."""
    from crm_marketing.api import blp
    from crm_marketing.views import bp

    return [blp, bp]


@hookimpl
def crm_register_objects(registry: ObjectRegistry) -> None:
    """The marketing objects attachments, the timeline and notifications address."""
    from crm_marketing import objects

    objects.register(registry)


@hookimpl
def crm_register_permissions() -> list[Permission]:
    """``marketing.segments|campaigns|rfm.read|write``."""
    return PERMISSIONS


@hookimpl
def crm_register_commands(cli: click.Group) -> None:
    """``crm marketing segments|rfm|campaigns …``."""
    from crm_marketing.cli import marketing

    for command in marketing.commands.values():
        cli.add_command(command)


@hookimpl
def crm_register_jobs(registry: JobRegistry) -> None:
    """The send job of campaigns, the nightly RFM and lifetime-value refreshes and the
    journeys' quarter-hourly advance (each one for the company)."""
    jobs.register(registry)


# --- journeys' triggers --------------------------------------------------------------
# Each event hands its payload to the journeys it starts; crm_marketing.triggers says how
# it names customers. Every event that declares ``customer_ids`` arrives through
# crm_event_about_customers, whoever publishes it; two host events name their customers
# otherwise and have a hook here. Delivery is at least once: a customer has one place
# per journey, so a second delivery enrols nobody.


def _start_journeys(event: str, **payload: Any) -> None:
    journeys.on_event(get_host().session, event, payload)


@hookimpl
def crm_event_about_customers(event: str, customer_ids: list[int], payload: dict[str, Any]) -> None:
    """Enrol an event's customers in the journeys it starts (a chosen value permitting)."""
    _start_journeys(event, **{**payload, "customer_ids": customer_ids})


@hookimpl
def crm_customers_updated(changes: list[dict[str, Any]]) -> None:
    """Enrol changed customers in the journeys started by a change (of a chosen field)."""
    _start_journeys("crm_customers_updated", changes=changes)


@hookimpl
def crm_customer_stage_changed(customer_id: int, old: str | None, new: str) -> None:
    """Enrol the customer in the journeys started by reaching a (chosen) stage."""
    _start_journeys("crm_customer_stage_changed", customer_id=customer_id, old=old, new=new)


@hookimpl
def crm_customers_merging(survivor: Customer, merged: Customer, session: Session) -> None:
    """Move lists, sends and scores of ``merged`` to ``survivor``."""
    privacy.move_references(session, survivor.id, merged.id)


@hookimpl
def crm_customer_erasing(customer: Customer, session: Session) -> None:
    """Off every list and out of the scores; addresses and texts of sends blanked."""
    privacy.erase(session, customer.id)


@hookimpl
def crm_customer_export(customer_id: int) -> dict[str, Any] | None:
    """Lists, scores, sends and SMS texts of the customer."""
    return privacy.export(get_host().session, customer_id)


@hookimpl
def crm_menu_items(user: User, departments: list[Department]) -> list[MenuItem]:
    """Segments, campaigns, journeys, the RFM grid and customer value."""
    return [
        MenuItem(
            label=_l("Segments"),
            endpoint="marketing_console.segments",
            icon="people",
            order=40,
            permission=SEGMENTS_READ,
        ),
        MenuItem(
            label=_l("Campaigns"),
            endpoint="marketing_console.campaigns",
            icon="megaphone",
            order=41,
            permission=CAMPAIGNS_READ,
        ),
        MenuItem(
            label=_l("RFM"),
            endpoint="marketing_console.rfm_grid",
            icon="grid",
            order=42,
            permission=RFM_READ,
        ),
        MenuItem(
            label=_l("Journeys"),
            endpoint="marketing_console.journeys_page",
            icon="signpost",
            order=43,
            permission=CAMPAIGNS_READ,
        ),
        MenuItem(
            label=_l("Customer value"),
            endpoint="marketing_console.value",
            icon="graph-up",
            order=44,
            permission=RFM_READ,
        ),
    ]


@hookimpl
def crm_dashboard_kpis(user: User, departments: list[Department]) -> list[dict[str, Any]]:
    """Segments, campaigns sending and messages sent in the last 30 days."""
    session = get_host().session
    if not can(session, user, CAMPAIGNS_READ):
        return []
    from crm_host.sdk import utcnow

    since = utcnow() - timedelta(days=30)
    sent = session.scalar(sa.select(sa.func.count()).select_from(Send).where(Send.sent_at >= since))
    active = session.scalar(
        sa.select(sa.func.count())
        .select_from(Campaign)
        .where(Campaign.status.in_(("scheduled", "sending")))
    )
    segments = session.scalar(sa.select(sa.func.count()).select_from(Segment))
    return [
        {
            "label": _l("Messages sent (30 days)"),
            "value": sent or 0,
            "href": "/marketing/campaigns",
        },
        {"label": _l("Campaigns under way"), "value": active or 0, "href": "/marketing/campaigns"},
        {"label": _l("Segments"), "value": segments or 0, "href": "/marketing/"},
    ]


@hookimpl
def crm_customer_panels(
    customer: Customer, user: User, departments: list[Department]
) -> list[Panel]:
    """The customer's RFM scores and their last campaigns."""
    session = get_host().session
    if not can(session, user, RFM_READ):
        return []
    recent: list[Any] = []
    if can(session, user, CAMPAIGNS_READ):
        recent = list(
            session.execute(
                sa.select(Send, Campaign.name, Campaign.channel)
                .join(Campaign, Campaign.id == Send.campaign_id)
                .where(Send.customer_id == customer.id)
                .order_by(Send.sent_at.desc(), Send.id.desc())
                .limit(5)
            )
        )
    return [
        Panel(
            title=_l("Marketing"),
            template="marketing/_customer_panel.html",
            context={"score": rfm.of_customer(session, customer.id), "sends": recent},
            order=40,
        )
    ]


@hookimpl
def crm_register_link_handlers(registry: Any) -> None:
    """Unsubscribe links open on the host's public page, for recipients not signed in."""
    from crm_marketing import links, responses

    def unsubscribe(session: Session, token: str) -> str:
        responses.unsubscribe(session, token)
        return str(_l("You are unsubscribed: you will get no more of these messages."))

    registry.add(links.UNSUBSCRIBE, unsubscribe, label=_l("Unsubscribe"))
    # Loaded by mail clients, not read by people: they act on opening, with no page.
    registry.add(tracking.OPEN, tracking.opened, label=_l("Message opened"), on_open=True)
    registry.add(tracking.CLICK, tracking.clicked, label=_l("Tracked link"), on_open=True)
