"""The timeline API: one entry at a time, or many in one statement, by the same rules."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from crm_host.core.errors import ValidationFailed
from crm_host.core.models import Interaction
from crm_host.records import timeline


def _entries(db):
    return db.execute(
        sa.select(
            Interaction.customer_id,
            Interaction.source_plugin,
            Interaction.channel,
            Interaction.direction,
            Interaction.subject,
            Interaction.body,
            Interaction.author_id,
            Interaction.reference,
        ).order_by(Interaction.id)
    ).all()


def test_many_entries_are_written_at_once_like_single_ones(db, make_customer, make_user):
    ann, bob = make_customer(name="安"), make_customer(name="博")
    user = make_user("clerk")
    single = timeline.add_entry(
        db, customer_id=ann.id, channel="phone", subject=" 来电 ", author=user
    )
    when = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    written = timeline.add_entries(
        db,
        [
            {
                "customer_id": ann.id,
                "channel": "campaign",
                "direction": "outbound",
                "subject": "Campaign 春季 (email)",
                "source_plugin": "marketing",
                "reference": "marketing_send:7",
            },
            {
                "customer_id": bob.id,
                "channel": "note",
                "subject": "备注 ",
                "body": "正文",
                "occurred_at": when,
                "author": user,
            },
        ],
    )
    assert written == 2
    assert timeline.add_entries(db, iter(())) == 0
    # Defaults and trimming as for one entry: direction internal, the subject stripped.
    assert _entries(db) == [
        (ann.id, None, "phone", "internal", "来电", None, user.id, None),
        (
            ann.id,
            "marketing",
            "campaign",
            "outbound",
            "Campaign 春季 (email)",
            None,
            None,
            "marketing_send:7",
        ),
        (bob.id, None, "note", "internal", "备注", "正文", user.id, None),
    ]
    occurred = dict(
        db.execute(
            sa.select(Interaction.customer_id, Interaction.occurred_at).where(
                Interaction.customer_id == bob.id
            )
        ).all()
    )
    assert occurred[bob.id].replace(tzinfo=UTC) == when
    assert single.id < max(db.scalars(sa.select(Interaction.id)))
    assert all(db.scalars(sa.select(Interaction.created_at)))


def test_a_bad_entry_refuses_the_lot_naming_it_by_position(db, make_customer):
    ann = make_customer(name="安")
    good = {"customer_id": ann.id, "channel": "note", "subject": "好"}
    with pytest.raises(ValidationFailed) as refused:
        timeline.add_entries(
            db, [good, {"customer_id": ann.id, "channel": "fax", "subject": " ", "direction": "x"}]
        )
    assert set(refused.value.details) == {"1.channel", "1.subject", "1.direction"}
    with pytest.raises(ValidationFailed) as refused:
        timeline.add_entries(db, [good, good, {"customer_id": ann.id, "channel": "note"}])
    assert list(refused.value.details) == ["2"] and "subject" in refused.value.details["2"][0]
    with pytest.raises(ValidationFailed) as refused:
        timeline.add_entry(db, customer_id=ann.id, channel="note", subject="x" * 301)
    assert set(refused.value.details) == {"subject"}
    assert db.scalar(sa.select(sa.func.count()).select_from(Interaction)) == 0


def test_an_entry_names_its_object_by_registered_type_and_id(db, make_customer):
    ann = make_customer(name="安")
    entry = timeline.add_entry(
        db, customer_id=ann.id, channel="note", subject="关于客户", about=("customer", str(ann.id))
    )
    assert (entry.object_type, entry.object_id, entry.reference) == ("customer", ann.id, None)
    for about, problem in (
        (("nothing.here", 1), "Unknown object type 'nothing.here'"),
        (("customer", "x1"), "positive integer"),
        (("customer", 0), "positive integer"),
        ("customer:1", "A pair"),
    ):
        with pytest.raises(ValidationFailed) as refused:
            timeline.add_entry(db, customer_id=ann.id, channel="note", subject="x", about=about)
        assert list(refused.value.details) == ["about"]
        assert problem in refused.value.details["about"][0]
