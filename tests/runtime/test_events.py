"""Events: written with the change, delivered after commit to each implementation alone."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from crm_host.core.errors import ValidationFailed
from crm_host.core.models import Customer, Interaction, Job, OutboxEvent
from crm_host.domain.customers.service import create_customer
from crm_host.runtime.facade import emit
from crm_host.testing.runtime import run_due_jobs


def new_customer(session, code="EV1", name="王芳"):
    return create_customer(session, {"code": code, "name": name, "kind": "person"})


def created_event(session, customer_id):
    """The crm_customers_created event the customer service emitted for ``customer_id``."""
    events = session.scalars(
        sa.select(OutboxEvent).where(OutboxEvent.name == "crm_customers_created")
    ).all()
    return next(e.id for e in events if e.payload["customer_ids"] == [customer_id])


def deliveries(session, event_id):
    jobs = session.scalars(sa.select(Job).where(Job.event_id == event_id).order_by(Job.id))
    return {job.plugin: job for job in jobs}


@pytest.mark.hookspec("crm_customers_created")
def test_one_failing_plugin_blocks_neither_the_write_nor_the_others(
    committed_db, committed_app, fx
):
    # Three installed plugins implement the event; none is enabled for any department:
    # events reach every installed plugin. fx_listen_b (the middle one, registered
    # with specname=) always raises.
    with committed_db.session() as session:
        # Creating a customer emits the event in the write's transaction.
        customer = new_customer(session)
        event_id = created_event(session, customer.id)
        assert fx["fx_listen_a"].CALLS == []  # nothing runs before commit

    ran = run_due_jobs(committed_app)
    with committed_db.session() as session:
        assert session.get(Customer, customer.id).name == "王芳"  # the write committed
        jobs = deliveries(session, event_id)
        # One delivery per implementing plugin: the three fixtures, and built-ins that
        # listen too (marketing's journeys start on new customers).
        assert ran == len(jobs)
        assert {"fx_listen_a", "fx_listen_b", "fx_listen_c"} <= set(jobs)
        assert set(jobs) - {"fx_listen_a", "fx_listen_b", "fx_listen_c"} <= {"marketing", "sales"}
        assert jobs["fx_listen_a"].status == jobs["fx_listen_c"].status == "done"
        failing = jobs["fx_listen_b"]
        assert (failing.status, failing.attempts) == ("queued", 1)
        assert failing.error_summary == "plugin fx_listen_b: RuntimeError: the ledger is offline"
        assert failing.run_after > failing.started_at  # backing off
    # c's timeline entry committed with its delivery, exactly once.
    with committed_db.session() as session:
        entries = session.scalars(
            sa.select(Interaction.reference).where(Interaction.source_plugin == "fx_listen_c")
        ).all()
    assert entries == [jobs["fx_listen_c"].idempotency_key]

    # Retries come due one after another (backoff doubles; a day covers the longest).
    for day in range(1, 12):
        run_due_jobs(committed_app, later=timedelta(days=day))
    with committed_db.session() as session:
        jobs = deliveries(session, event_id)
        parked = jobs["fx_listen_b"]
        assert parked.status == "failed"
        assert parked.attempts == parked.max_attempts == 8
        assert parked.plugin == "fx_listen_b"
        assert parked.last_error.startswith(
            "plugin fx_listen_b: RuntimeError: the ledger is offline\n"
        )
        assert "post_to_ledger" in parked.last_error  # the trace names the function
    assert len(fx["fx_listen_b"].CALLS) == 8
    assert [c[0] for c in fx["fx_listen_a"].CALLS] == ["crm_customers_created"]
    assert len(fx["fx_listen_c"].CALLS) == 1
    _hook, kwargs, key, attempt = fx["fx_listen_a"].CALLS[0]
    assert kwargs == {"customer_ids": [customer.id]}
    assert (
        key
        == jobs["fx_listen_a"].idempotency_key
        == (f"event:{event_id}:fx_listen_a:crm_customers_created")
    )
    assert attempt == 1
    assert jobs["fx_listen_b"].idempotency_key.endswith(":fx_listen_b:post_to_ledger")


@pytest.mark.hookspec("crm_customers_created")
def test_db_tier_delivers_inline_after_commit(db, fx, run_jobs):
    customer = new_customer(db)
    event_id = created_event(db, customer.id)
    assert fx["fx_listen_a"].CALLS == []
    db.commit()
    assert len(fx["fx_listen_a"].CALLS) == len(fx["fx_listen_c"].CALLS) == 1
    assert deliveries(db, event_id)["fx_listen_b"].status == "queued"
    assert run_jobs() == 0  # the retry is not due yet
    assert run_jobs(later=timedelta(hours=1)) == 1
    assert len(fx["fx_listen_b"].CALLS) == 2


def test_nothing_is_delivered_when_the_write_rolls_back(db, fx, run_jobs):
    customer = new_customer(db, code="EV-RB")
    db.commit()
    fx["fx_listen_a"].CALLS.clear()
    events_before = db.scalar(sa.select(sa.func.count()).select_from(OutboxEvent))
    emit(db, "crm_customer_erased", customer_id=customer.id)
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(OutboxEvent)) == events_before
    run_jobs(later=timedelta(days=1))  # only fx_listen_b's retries of the creation are due
    assert fx["fx_listen_a"].CALLS == []


@pytest.mark.hookspec("crm_customers_created")
@pytest.mark.hookspec("crm_customers_updated")
@pytest.mark.hookspec("crm_customers_imported")
@pytest.mark.hookspec("crm_customer_merged")
@pytest.mark.hookspec("crm_customer_stage_changed")
@pytest.mark.hookspec("crm_customer_erased")
def test_every_host_event_reaches_its_handlers_with_its_arguments(db, fx):
    events = {
        "crm_customers_created": {"customer_ids": [1, 2]},
        "crm_customers_updated": {
            "changes": [{"customer_id": 1, "changed": {"city": ["苏州", "杭州"]}}]
        },
        "crm_customers_imported": {"customer_ids": list(range(1, 501))},
        "crm_customer_merged": {"survivor_id": 1, "merged_id": 2},
        "crm_customer_stage_changed": {"customer_id": 1, "old": "lead", "new": "customer"},
        "crm_customer_erased": {"customer_id": 2},
    }
    for name, payload in events.items():
        emit(db, name, **payload)
    db.commit()
    received = {hook: kwargs for hook, kwargs, _key, _attempt in fx["fx_listen_a"].CALLS}
    assert received == events


def test_a_plugins_own_event_uses_the_same_emit(db, fx):
    emit(db, "crm_fxlc_pinged", ping_id=7)
    db.commit()
    assert [(c[0], c[1]) for c in fx["fx_listen_a"].CALLS] == [("crm_fxlc_pinged", {"ping_id": 7})]


def test_dates_in_a_payload_become_iso_strings(db, fx):
    from datetime import date

    emit(
        db,
        "crm_customers_updated",
        changes=[{"customer_id": 1, "changed": {"birth_date": [None, date(1990, 5, 17)]}}],
    )
    db.commit()
    assert fx["fx_listen_a"].CALLS[0][1]["changes"][0]["changed"]["birth_date"] == [
        None,
        "1990-05-17",
    ]


@pytest.mark.parametrize(
    ("name", "payload", "message"),
    [
        ("crm_no_such_event", {}, "no event named crm_no_such_event"),
        ("crm_fxlc_lookup", {"name": "x"}, "crm_fxlc_lookup is a command (first-result)"),
        ("crm_startup", {"app": None}, "crm_startup is not an event"),
        ("crm_customer_merged", {"survivor_id": 1}, "missing: merged_id"),
        ("crm_customer_erased", {"customer_id": 1, "why": "x"}, "unexpected: why"),
        ("crm_customer_erased", {"customer_id": {1, 2}}, "payload must be JSON data"),
    ],
)
def test_bad_events_are_refused_with_a_clear_message(db, name, payload, message):
    with pytest.raises(ValidationFailed, match=re.escape(message)):
        emit(db, name, **payload)
