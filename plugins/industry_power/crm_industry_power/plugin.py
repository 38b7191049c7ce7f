"""Hook implementations of the power pack: what it contributes to the host."""

from __future__ import annotations

from typing import Any

import click
import sqlalchemy as sa
from flask import Blueprint
from sqlalchemy.orm import Session

from crm_host.sdk import Customer, Department, ObjectRegistry, Permission, User, get_host, hookimpl
from crm_host.sdk.web import MenuItem, Panel
from crm_industry_power import bills, faults, privacy
from crm_industry_power.permissions import PERMISSIONS


@hookimpl
def crm_seed_demo(session: Session) -> list[str]:
    """Demo accounts with a month of load curves, for ``crm demo``."""
    from crm_industry_power import demo

    return demo.seed_demo_company(session)


@hookimpl
def crm_register_benchmarks(registry: Any) -> None:
    """Meter data ingest and daily metrics vs polars, for ``crm bench``."""
    from crm_industry_power.bench import bench_meter_data

    registry.add("meter_data", bench_meter_data, description="meter data ingest vs polars")


@hookimpl
def crm_register_blueprints() -> list[Blueprint]:
    """The REST API (``/api/v1/power/…``) and the console pages (``/power/…``)."""
    from crm_industry_power.api import blp
    from crm_industry_power.views import bp

    return [blp, bp]


@hookimpl
def crm_register_objects(registry: ObjectRegistry) -> None:
    """The industry_power objects attachments, the timeline and notifications address."""
    from crm_industry_power import objects

    objects.register(registry)


@hookimpl
def crm_register_permissions() -> list[Permission]:
    """``power.*``: the standard roles reach all but ``power.tariffs.manage``."""
    return PERMISSIONS


@hookimpl
def crm_register_commands(cli: click.Group) -> None:
    """``crm power …``."""
    from crm_industry_power.cli import register

    register(cli)


@hookimpl
def crm_register_importers(registry: Any) -> None:
    """Interval readings through the host's import job: ``industry_power.readings``."""
    from crm_industry_power.readings import ReadingsImporter

    registry.add("readings", ReadingsImporter, label="Interval readings")


@hookimpl
def crm_register_jobs(registry: Any) -> None:
    """Daily advice refresh and monthly bills."""
    from crm_industry_power import jobs

    jobs.register(registry)


@hookimpl
def crm_segment_criteria() -> list[Any]:
    """Category, voltage level, contracted capacity, service level and monthly energy."""
    from crm_industry_power import criteria

    return criteria.criteria()


@hookimpl
def crm_transaction_sources() -> list[sa.Select[Any]]:
    """Bills, as the customer's transactions."""
    return [bills.transaction_source()]


@hookimpl(optionalhook=True)
def crm_service_ticket_resolved(ticket_id: int) -> None:
    """A fault's ticket was resolved: the fault is too (service is only in ``uses``)."""
    # In the delivery job's transaction: it commits when the job is marked done.
    faults.ticket_resolved(get_host().session, ticket_id)


@hookimpl
def crm_customers_merging(survivor: Customer, merged: Customer, session: Session) -> None:
    """Move the merged customer's accounts, bills and faults to the survivor."""
    privacy.move_references(session, survivor.id, merged.id)


@hookimpl
def crm_customer_erasing(customer: Customer, session: Session) -> None:
    """Blank what the customer told us in fault reports."""
    privacy.erase(session, customer.id)


@hookimpl
def crm_customer_export(customer_id: int) -> dict[str, Any] | None:
    """Accounts, meters, equipment, bills and faults of the customer."""
    return privacy.export(get_host().session, customer_id)


@hookimpl
def crm_menu_items(user: User, departments: list[Department]) -> list[MenuItem]:
    """Accounts and advice in the console navigation."""
    from crm_industry_power.views import shell

    return shell.menu_items()


@hookimpl
def crm_dashboard_kpis(user: User, departments: list[Department]) -> list[dict[str, Any]]:
    """Accounts, grid-upgrade advice and open faults."""
    from crm_industry_power.views import shell

    return shell.dashboard_kpis(user)


@hookimpl
def crm_customer_panels(
    customer: Customer, user: User, departments: list[Department]
) -> list[Panel]:
    """The customer's accounts and, for key customers, their equipment."""
    from crm_industry_power.views import shell

    return shell.customer_panels(customer, user)
