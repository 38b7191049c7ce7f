"""Hooks the sales plugin publishes (through ``crm_addhooks``) for other plugins.

Events are emitted with ``crm_host.sdk.emit`` in the transaction of the change
and delivered after commit, at least once, to each implementation separately.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from crm_host.sdk import event_label, hookspec


@hookspec
@event_label(_l("Deal won"))
def crm_sales_opportunity_won(opportunity_id: int, customer_ids: list[int]) -> None:
    """An opportunity was won (moved to a winning stage); ``opportunity_id`` names it and
    ``customer_ids`` holds its customer (empty for a deal without one, and for events
    written before the argument existed). Being about customers, it can start journeys.

    Called after the change committed, once per implementation, for every installed
    plugin — e.g. the service plugin opens an onboarding ticket. Handlers must be
    idempotent and read the opportunity's current state. Collecting; the return
    value is ignored; raising makes the delivery retry with backoff, then park.
    """


@hookspec
@event_label(_l("Lead converted"))
def crm_sales_lead_converted(
    lead_id: int, customer_id: int, opportunity_id: int, customer_ids: list[int]
) -> None:
    """A lead became customer ``customer_id`` with opportunity ``opportunity_id``;
    ``customer_ids`` is ``[customer_id]`` (empty for events written before it existed).
    Being about customers, it can start journeys.

    Called after the converting transaction committed, once per implementation, for
    every installed plugin. Collecting; the return value is ignored; raising makes
    the delivery retry with backoff, then park.
    """
