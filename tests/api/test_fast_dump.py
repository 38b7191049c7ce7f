"""The fast dump of customers answers exactly what marshmallow's own dump answers."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace

import marshmallow as ma
import pytest
from flask import g

from crm_host.api.fastdump import FastDump
from crm_host.api.schemas import CustomerDetail, CustomerOut, TextField


class _Toy(FastDump):
    text = ma.fields.String()
    maybe = TextField()
    number = ma.fields.Integer()
    as_text = ma.fields.Integer(as_string=True)
    at = ma.fields.DateTime()
    year = ma.fields.DateTime(format="%Y")
    day = ma.fields.Date()
    free = ma.fields.Dict()
    typed = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    upper = ma.fields.Function(lambda o: (getattr(o, "text", None) or "").upper())
    renamed = ma.fields.String(data_key="otherName")
    aliased = ma.fields.String(attribute="source")
    defaulted = ma.fields.String(dump_default="none given")
    flag = ma.fields.Boolean()
    items = ma.fields.List(ma.fields.Nested(lambda: _Child()))


class _Child(FastDump):
    name = ma.fields.String()


def _toy(**fields):
    values = {
        "text": "王芳",
        "maybe": None,
        "number": 7,
        "as_text": 8,
        "at": datetime(2026, 3, 1, 8, 30, tzinfo=UTC),
        "year": datetime(2026, 3, 1, tzinfo=UTC),
        "day": date(1990, 12, 31),
        "free": {"industry": "steel", "n": 3},
        "typed": {"a": "4"},
        "renamed": "r",
        "source": "from elsewhere",
        "flag": 1,
        "items": [SimpleNamespace(name="c1"), SimpleNamespace(name=None)],
        **fields,
    }
    return SimpleNamespace(**values)


@pytest.mark.parametrize(
    "obj",
    [
        _toy(),
        _toy(text=None, number=None, at=None, day=None, free=None, items=[], flag=None),
        _toy(defaulted="given", number="12"),
        {"text": "a dict", "number": 3, "items": [{"name": "n"}]},
    ],
    ids=["values", "nulls", "strings-and-defaults", "dict"],
)
def test_the_fast_dump_equals_marshmallows(obj):
    schema = _Toy()
    assert schema.dump(obj) == ma.Schema.dump(schema, obj)
    assert schema.dump([obj, obj], many=True) == ma.Schema.dump(schema, [obj, obj], many=True)


def test_hand_checked_values():
    dumped = _Toy().dump(_toy())
    assert dumped["at"] == "2026-03-01T08:30:00+00:00" and dumped["year"] == "2026"
    assert dumped["day"] == "1990-12-31" and dumped["as_text"] == "8"
    assert dumped["typed"] == {"a": 4} and dumped["upper"] == "王芳"
    assert dumped["otherName"] == "r" and dumped["aliased"] == "from elsewhere"
    assert dumped["defaulted"] == "none given" and dumped["flag"] == 1
    assert dumped["items"] == [{"name": "c1"}, {"name": None}]


@pytest.mark.parametrize("reveal", [True, False])
def test_customers_dump_as_marshmallow_dumps_them(app, db, make_customer, reveal):
    full = make_customer(
        phone="+8613812345678",
        id_number="110101199003074512",
        email="fang@example.cn",
        birth_date="1990-03-07",
        tier="gold",
        city="苏州",
        custom={},
        tags=["vip", "新客"],
        departments=["sales"],
    )
    bare = make_customer(kind="organization", name="空白公司")
    full.archived_at = datetime(2026, 5, 1, tzinfo=UTC)
    db.flush()  # not in the middle of the dumps (updated_at would move)
    with app.test_request_context("/api/v1/customers"):
        g.crm_may_reveal = reveal
        for schema in (CustomerOut(), CustomerDetail()):
            for customer in (full, bare):
                assert schema.dump(customer) == ma.Schema.dump(schema, customer)
            assert schema.dump([full, bare], many=True) == ma.Schema.dump(
                schema, [full, bare], many=True
            )
        dumped = CustomerOut().dump(full)
    assert dumped["phone"] == ("+8613812345678" if reveal else "+86*******5678")
    assert dumped["tags"] == ["vip", "新客"] and dumped["departments"] == ["sales"]
    assert dumped["birth_date"] == "1990-03-07" and dumped["archived_at"].startswith("2026-05-01")
