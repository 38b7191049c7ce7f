"""The host's segment-criterion contract: values are checked and compared the same way
for every plugin that offers a criterion."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
import sqlalchemy as sa

from crm_host.domain.segments import (
    OPERATORS,
    Criterion,
    CriterionError,
    compare,
    date_value,
    number_value,
    text_value,
    text_values,
    whole_days,
    window_value,
)

rows = sa.table("rows", sa.column("id", sa.Integer), sa.column("city", sa.String), sa.column("n"))


def matching(condition):
    """Ids of the rows below that ``condition`` keeps, evaluated by SQLite."""
    engine = sa.create_engine("sqlite://")
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE rows (id INTEGER, city TEXT, n NUMERIC)"))
        connection.execute(
            sa.text("INSERT INTO rows VALUES (1, '苏州', 5), (2, '无锡', 10), (3, NULL, NULL)")
        )
        return [
            r
            for (r,) in connection.execute(
                sa.select(rows.c.id).where(condition).order_by(rows.c.id)
            )
        ]


def test_text_operators_keep_unknowns_out_of_eq_and_in_ne():
    assert matching(compare(rows.c.city, "eq", " 苏州 ")) == [1]
    assert matching(compare(rows.c.city, "ne", "苏州")) == [2, 3]
    assert matching(compare(rows.c.city, "in", ["苏州", "无锡"])) == [1, 2]
    assert matching(compare(rows.c.city, "not_in", ["苏州"])) == [2, 3]
    assert matching(compare(rows.c.city, "is_set", None)) == [1, 2]
    assert matching(compare(rows.c.city, "is_not_set", None)) == [3]


def test_number_operators():
    assert matching(compare(rows.c.n, "gte", 6)) == [2]
    assert matching(compare(rows.c.n, "lte", "5")) == [1]
    assert matching(compare(rows.c.n, "between", [5, 10])) == [1, 2]
    assert matching(compare(rows.c.n, "eq", 10)) == [2]
    assert matching(compare(rows.c.n, "gt", 5)) == [2]
    assert matching(compare(rows.c.n, "lt", "10")) == [1]
    assert matching(compare(rows.c.n, "gt", 10)) == []


def test_date_operators_compare_calendar_days():
    day = sa.column("day", sa.Date)
    engine = sa.create_engine("sqlite://")
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE days (id INTEGER, day DATE)"))
        connection.execute(
            sa.text("INSERT INTO days VALUES (1, '2026-12-06'), (2, '2026-12-07'), (3, NULL)")
        )
        table = sa.table("days", sa.column("id", sa.Integer), day)

        def ids(op, value):
            condition = compare(day, op, value, kind="date")
            query = sa.select(table.c.id).where(condition).order_by(table.c.id)
            return [r for (r,) in connection.execute(query)]

        assert ids("gt", "2026-12-06") == [2]
        assert ids("gte", "2026-12-06") == [1, 2]
        assert ids("lt", "2026-12-07") == [1]
        assert ids("lte", "2026-12-05") == []
        assert ids("eq", "2026-12-07") == [2]
        assert ids("between", ["2026-12-01", "2026-12-06"]) == [1]
    with pytest.raises(CriterionError, match="first day is after the last"):
        compare(day, "between", ["2026-12-07", "2026-12-01"], kind="date")


@pytest.mark.parametrize(
    ("check", "value", "message"),
    [
        (text_value, "", "Needs a text of 1 to 200 characters."),
        (text_value, "x" * 201, "Needs a text of 1 to 200 characters."),
        (text_values, [], "Needs a list of 1 to 500 texts."),
        (text_values, "苏州", "Needs a list of 1 to 500 texts."),
        (number_value, True, "Needs a number."),
        (number_value, "abc", "Needs a number."),
        (number_value, "NaN", "Needs a finite number below 10^15."),
        (number_value, 10**15, "Needs a finite number below 10^15."),
        (whole_days, 1.5, "Needs a whole number of days from 0 to 36500."),
        (whole_days, -1, "Needs a whole number of days from 0 to 36500."),
        (date_value, "07/12/2026", "Needs a date as YYYY-MM-DD."),
        (date_value, 20261207, "Needs a date as YYYY-MM-DD."),
        (window_value, 3, 'Needs {"days": N, "value": number or [lowest, highest]}.'),
        (window_value, {"days": 30}, 'Needs {"days": N, "value": number or [lowest, highest]}.'),
        (window_value, {"days": 30, "value": "x"}, "Needs a number."),
    ],
)
def test_bad_values_are_refused_saying_what_is_needed(check, value, message):
    with pytest.raises(CriterionError, match=re.escape(message)):
        check(value)


def test_good_values_come_back_clean():
    from datetime import date

    assert date_value(" 2026-12-07") == date(2026, 12, 7)
    assert window_value({"days": 30, "value": "2"}) == (30, Decimal(2))
    assert window_value({"days": 7, "value": [1, 3]}) == (7, [Decimal(1), Decimal(3)])
    assert text_value(" 苏州 ") == "苏州"
    assert text_values(["a", " b"]) == ["a", "b"]
    assert number_value("12.50") == Decimal("12.50")
    assert whole_days(30) == 30


def test_between_needs_an_ordered_pair():
    with pytest.raises(CriterionError, match=r"Needs \[lowest, highest\]"):
        compare(rows.c.n, "between", [1])
    with pytest.raises(CriterionError, match="The lowest value is above the highest."):
        compare(rows.c.n, "between", [9, 1])


def test_a_criterion_offers_the_operators_of_its_kind():
    criterion = Criterion("city", "City", "text", lambda s, o, v: compare(rows.c.city, o, v))
    assert criterion.operators == OPERATORS["text"]
    assert "between" in Criterion("n", "N", "number", criterion.build).operators
