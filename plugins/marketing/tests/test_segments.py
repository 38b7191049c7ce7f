"""Segments: rule trees compiled to one SQL query, validated node by node, static lists."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from crm_marketing import segments
from crm_marketing.rules import compile_rules

from crm_host.sdk import ValidationFailed, timeline, utcnow


def members(db, tree):
    condition = compile_rules(db, tree)
    return {c.code for c in segments.sample(db, condition, 1000)}


def years_ago(years, days=0):
    today = date.today()
    return today.replace(year=today.year - years) - timedelta(days=days)


@pytest.fixture
def people(make_customer, db):
    made = {
        "A": make_customer(
            code="A",
            gender="female",
            city="苏州",
            region="江苏",
            occupation="teacher",
            education="master",
            birth_date=years_ago(30),
            tier="gold",
        ),
        "B": make_customer(
            code="B",
            gender="male",
            city="苏州",
            region="江苏",
            occupation="engineer",
            birth_date=years_ago(25, days=-1),
            lifecycle_stage="lead",
        ),
        "C": make_customer(
            code="C",
            gender="female",
            city="南京",
            region="江苏",
            occupation="doctor",
            birth_date=years_ago(45),
        ),
        "D": make_customer(code="D", gender="female", city="上海", region="上海"),
    }
    return made


def test_demographic_and_geographic_conditions_combine_with_and_or_not(db, people):
    assert members(
        db,
        {
            "all": [
                {"field": "gender", "op": "eq", "value": "female"},
                {"field": "region", "op": "eq", "value": "江苏"},
            ]
        },
    ) == {"A", "C"}
    assert members(
        db,
        {
            "any": [
                {"field": "city", "op": "eq", "value": "上海"},
                {"field": "occupation", "op": "in", "value": ["doctor", "engineer"]},
            ]
        },
    ) == {"B", "C", "D"}
    assert members(
        db,
        {
            "all": [
                {"field": "region", "op": "eq", "value": "江苏"},
                {"not": {"field": "city", "op": "eq", "value": "苏州"}},
            ]
        },
    ) == {"C"}
    assert members(db, {"all": [{"field": "education", "op": "is_set"}]}) == {"A"}
    assert members(
        db,
        {
            "all": [
                {"field": "tier", "op": "ne", "value": "gold"},
                {"field": "lifecycle_stage", "op": "eq", "value": "lead"},
            ]
        },
    ) == {"B"}


def test_age_bands_come_from_the_birth_date(db, people):
    # B turns 25 tomorrow: still 24 today.
    assert members(db, {"all": [{"field": "age_band", "op": "in", "value": ["18-24"]}]}) == {"B"}
    assert members(
        db, {"all": [{"field": "age_band", "op": "in", "value": ["25-34", "45-54"]}]}
    ) == {"A", "C"}


def test_tags_and_last_interaction(db, people, make_customer):
    from crm_host.sdk import Tag, customer_tags

    vip = Tag(name="vip")
    db.add(vip)
    db.flush()
    db.execute(
        customer_tags.insert(),
        [
            {"customer_id": people["A"].id, "tag_id": vip.id},
            {"customer_id": people["C"].id, "tag_id": vip.id},
        ],
    )
    timeline.add_entry(
        db,
        customer_id=people["B"].id,
        channel="phone",
        subject="回访",
        occurred_at=utcnow() - timedelta(days=3),
    )
    timeline.add_entry(
        db,
        customer_id=people["C"].id,
        channel="phone",
        subject="回访",
        occurred_at=utcnow() - timedelta(days=90),
    )
    db.commit()
    assert members(db, {"all": [{"field": "tags", "op": "any", "value": ["vip"]}]}) == {"A", "C"}
    assert members(db, {"all": [{"field": "tags", "op": "none", "value": ["vip"]}]}) == {"B", "D"}
    assert members(db, {"all": [{"field": "last_interaction", "op": "within", "value": 30}]}) == {
        "B"
    }
    assert members(
        db,
        {
            "all": [
                {"field": "last_interaction", "op": "not_within", "value": 30},
                {"field": "region", "op": "eq", "value": "江苏"},
            ]
        },
    ) == {"A", "C"}


def test_spend_over_the_transaction_union(db, people, buy):
    now = utcnow()
    buy(people["A"], "300.00", now - timedelta(days=1))
    buy(people["A"], "250.00", now - timedelta(days=2))
    buy(people["C"], "100.00", now)
    assert members(db, {"all": [{"field": "monetary", "op": "gte", "value": 500}]}) == {"A"}
    assert members(db, {"all": [{"field": "purchases", "op": "between", "value": [1, 1]}]}) == {"C"}


SPENT_500 = {"field": "monetary", "op": "gte", "value": 500}


@pytest.fixture
def spenders(db, people, buy):
    """A: two purchases, 550 yuan; B: three, 90; C: one, 700; D: none."""
    now = utcnow()
    for code, amounts in {"A": ["300", "250"], "B": ["30", "30", "30"], "C": ["700"]}.items():
        for i, amount in enumerate(amounts):
            buy(people[code], amount, now - timedelta(days=i + 1))
    return people


@pytest.mark.parametrize(
    ("tree", "expected"),
    [
        # Both on one customer's group: only A has two purchases and 500 yuan.
        ({"all": [{"field": "purchases", "op": "gte", "value": 2}, SPENT_500]}, {"A"}),
        # Either: A and B have two or more, A and C spent 500.
        ({"any": [{"field": "purchases", "op": "gte", "value": 2}, SPENT_500]}, {"A", "B", "C"}),
        # Not both: D has no transactions at all, so it is in neither grouped set.
        (
            {"not": {"all": [{"field": "purchases", "op": "gte", "value": 2}, SPENT_500]}},
            {"B", "C", "D"},
        ),
        # A negated grouped test stays apart from its sibling: B (3 purchases, 90 yuan)
        # and D (none) have not spent 500; of them only B has two purchases.
        (
            {"all": [{"field": "purchases", "op": "gte", "value": 2}, {"not": SPENT_500}]},
            {"B"},
        ),
        # Three tests and a customer field in one group.
        (
            {
                "all": [
                    {"field": "city", "op": "eq", "value": "苏州"},
                    {"field": "purchases", "op": "between", "value": [1, 2]},
                    {"field": "monetary", "op": "lte", "value": 600},
                    {"field": "monetary", "op": "gte", "value": 100},
                ]
            },
            {"A"},
        ),
        # "lte" never reaches customers without transactions, as before.
        (
            {
                "any": [
                    {"field": "monetary", "op": "lte", "value": 100},
                    {"field": "city", "op": "eq", "value": "上海"},
                ]
            },
            {"B", "D"},
        ),
    ],
)
def test_grouped_criteria_of_one_group_share_a_grouping(db, spenders, tree, expected):
    assert members(db, tree) == expected
    # The same members as each criterion on its own, joined as the tree says.
    separate = {
        code
        for code in members(db, {"field": "kind", "op": "eq", "value": "person"})
        if _holds(db, tree, code)
    }
    assert separate == expected


def _holds(db, node, code):
    """Evaluate ``node`` for one customer with a query per leaf (the uncombined form)."""
    if "all" in node:
        return all(_holds(db, child, code) for child in node["all"])
    if "any" in node:
        return any(_holds(db, child, code) for child in node["any"])
    if "not" in node:
        return not _holds(db, node["not"], code)
    return code in members(db, {"all": [node]})


def test_tests_on_one_relation_are_grouped_once(db, spenders):
    tree = {
        "all": [
            {"field": "purchases", "op": "gte", "value": 2},
            {"field": "region", "op": "eq", "value": "江苏"},
            SPENT_500,
            {"any": [{"field": "purchases", "op": "eq", "value": 1}, SPENT_500]},
        ]
    }
    sql = str(compile_rules(db, tree).compile(dialect=db.get_bind().dialect))
    # One grouping for the "all", one for the nested "any".
    assert sql.upper().count("GROUP BY") == 2
    assert segments.count(db, compile_rules(db, tree)) == 1  # A


def test_counting_a_segment_is_one_select(db, people, buy):
    buy(people["A"], "300.00", utcnow())
    tree = {
        "all": [
            {"field": "region", "op": "eq", "value": "江苏"},
            {
                "any": [
                    {"field": "monetary", "op": "gte", "value": 100},
                    {"field": "age_band", "op": "in", "value": ["45-54"]},
                    {"not": {"field": "tags", "op": "any", "value": ["blocked"]}},
                ]
            },
        ]
    }
    condition = compile_rules(db, tree)
    statements = []

    def seen(conn, cursor, statement, *args):
        statements.append(statement)

    engine = db.get_bind().engine
    sa.event.listen(engine, "before_cursor_execute", seen)
    try:
        assert segments.count(db, condition) == 3
    finally:
        sa.event.remove(engine, "before_cursor_execute", seen)
    # The db tier wraps work in savepoints; those aside, the count is one SELECT.
    issued = [s for s in statements if not s.upper().startswith(("SAVEPOINT", "RELEASE"))]
    assert len(issued) == 1 and issued[0].lstrip().upper().startswith("SELECT")


def test_validation_names_every_bad_node_by_path(db):
    tree = {
        "all": [
            {"field": "city", "op": "eq", "value": "苏州"},
            {
                "any": [
                    {"field": "shoe_size", "op": "eq", "value": 42},
                    {"field": "age_band", "op": "in", "value": ["teen"]},
                ]
            },
            {"not": {"field": "gender", "op": "gte", "value": "x"}},
            {"field": "monetary", "op": "gte", "value": "lots"},
            {"field": "last_interaction", "op": "within"},
            "oops",
            {"any": []},
        ]
    }
    with pytest.raises(ValidationFailed) as caught:
        compile_rules(db, tree)
    assert set(caught.value.details) == {
        "rules.all[1].any[0].field",
        "rules.all[1].any[1].value",
        "rules.all[2].not.op",
        "rules.all[3].value",
        "rules.all[4].value",
        "rules.all[5]",
        "rules.all[6].any",
    }
    assert "teen" in caught.value.details["rules.all[1].any[1].value"][0]


def test_static_lists_hold_whom_they_are_given(db, people):
    static = segments.create_segment(db, {"name": "展会名单", "kind": "static"})
    assert segments.add_members(db, static, [people["A"].id, people["D"].id]) == 2
    assert segments.add_members(db, static, [people["A"].id]) == 0
    with pytest.raises(ValidationFailed):
        segments.add_members(db, static, [999_999_999])
    condition = segments.condition_for(db, static)
    assert segments.count(db, condition) == 2
    assert segments.remove_members(db, static, [people["D"].id]) == 1
    assert [c.code for c in segments.sample(db, segments.condition_for(db, static))] == ["A"]


def test_saved_rules_are_checked_and_names_are_unique(db, people):
    from crm_host.sdk import Conflict

    segment = segments.create_segment(
        db, {"name": "苏州女性", "rules": {"all": [{"field": "city", "op": "eq", "value": "苏州"}]}}
    )
    assert segments.preview(db, segments.condition_for(db, segment))["count"] == 2
    with pytest.raises(Conflict):
        segments.create_segment(db, {"name": "苏州女性", "kind": "static"})
    with pytest.raises(ValidationFailed) as caught:
        segments.update_segment(db, segment, {"rules": {"all": [{"field": "city"}]}})
    assert "rules.all[0].op" in caught.value.details
