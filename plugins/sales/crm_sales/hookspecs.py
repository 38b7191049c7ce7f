"""Hooks the sales plugin publishes (through ``crm_addhooks``) for other plugins.

Events are emitted with ``crm_host.runtime.emit`` in the transaction of the change
and delivered after commit, at least once, to each implementation separately.
"""

from __future__ import annotations

from crm_host.plugins import hookspec


@hookspec
def crm_sales_opportunity_won(opportunity_id: int) -> None:
    """An opportunity was won (moved to a winning stage); ``opportunity_id`` names it.

    Called after the change committed, once per implementation, for every installed
    plugin — e.g. the service plugin opens an onboarding ticket. Handlers must be
    idempotent and read the opportunity's current state. Collecting; the return
    value is ignored; raising makes the delivery retry with backoff, then park.
    """


@hookspec
def crm_sales_lead_converted(lead_id: int, customer_id: int, opportunity_id: int) -> None:
    """A lead became customer ``customer_id`` with opportunity ``opportunity_id``.

    Called after the converting transaction committed, once per implementation, for
    every installed plugin. Collecting; the return value is ignored; raising makes
    the delivery retry with backoff, then park.
    """
