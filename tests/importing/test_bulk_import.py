"""The bulk import path: the column-at-a-time rules agree with the row-at-a-time ones,
and rows written in bulk are stored exactly as the service stores a customer."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm_host.core import sensitive
from crm_host.core.models import Customer, Department, Tag, customer_departments, customer_tags
from crm_host.domain.customers import service
from crm_host.domain.customers.custom_fields import create_field
from crm_host.domain.customers.rules import FIELDS, RULES, clean_customer, clean_customers
from crm_host.domain.importing.customers import CustomerImporter
from crm_host.domain.importing.readers import Record

#: Values that sit on the rules' edges: spaces to strip, control characters, case,
#: phone punctuation, dates out of range, lengths just over a limit, wrong types.
EDGES = [
    "",
    " ",
    "\t",
    "\x01",
    "\n",
    "\u00a0",
    "\u3000",
    "a",
    "A1",
    "-x",
    "a/b.c",
    "bad code!",
    "person",
    " organization ",
    "robot",
    "customer",
    "lead",
    "male",
    "female",
    "zh_Hans",
    "fr",
    "x@y.cn",
    " X@Example.CN ",
    "x\ty@a.cn",
    "wang@",
    "+86 139-0000 0001",
    "(0512) 6000.1234",
    "12345\t67890",
    "call me",
    "1990-01-31",
    " 1990-01-31 ",
    "19900131",
    "1990-02-30",
    "1899-12-31",
    "2990-01-01",
    "abc-12",
    "ab",
    "ΣΑΣ",
    "ß",
    "İ",
    "张三",
    "x" * 33,
    "x" * 65,
    "x" * 201,
]
value = st.one_of(
    st.sampled_from(EDGES),
    st.lists(st.sampled_from(EDGES), min_size=2, max_size=3).map("".join),
    st.text(max_size=12),
    st.sampled_from([None, 5, 1.5, True, ["a"], {"a": 1}]),
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.sampled_from(FIELDS), unique=True).flatmap(
        lambda keys: st.lists(
            st.fixed_dictionaries({k: value for k in keys}), min_size=1, max_size=6
        )
    ),
    st.lists(st.dictionaries(st.sampled_from([*FIELDS, "tags"]), value), max_size=2),
)
def test_the_column_rules_agree_with_the_row_rules(same_keys, other_keys):
    """One rule set, two executors: the bulk one gives each row what the API's gives,
    messages and their order included."""
    rows = same_keys + other_keys
    expected = [clean_customer(row) for row in rows]
    got = clean_customers(rows)
    assert got == expected
    assert [(list(c), list(e)) for c, e in got] == [(list(c), list(e)) for c, e in expected]


def test_one_bad_value_is_named_on_its_row_only():
    rows = [
        {"code": f"C{i}", "name": "王芳", "kind": "person", "email": f"u{i}@example.cn"}
        for i in range(5)
    ]
    rows[2]["email"] = "wang@"
    rows[3]["name"] = "  "
    rows[4]["email"] = " U4@Example.CN "
    results = clean_customers(rows)
    assert [errors for _clean, errors in results] == [
        {},
        {},
        {"email": ["Not a valid email address."]},
        {"name": ["Required."]},
        {},
    ]
    assert results[4][0] == {
        "code": "C4",
        "name": "王芳",
        "kind": "person",
        "email": "u4@example.cn",
    }
    assert results[3][0] == {"code": "C3", "kind": "person", "email": "u3@example.cn"}
    assert RULES["email"].column is not None


def test_a_column_without_values_is_checked_as_a_column():
    # Splitting the empty text of no values would make one empty value, which fails.
    assert [RULES[name].column([]) for name in ("id_number", "email", "phone")] == [[], [], []]
    rows = [{"code": "C1", "name": "甲", "kind": "person", "id_number": ""}] * 2
    assert (
        clean_customers(rows)
        == [({"code": "C1", "name": "甲", "kind": "person", "id_number": None}, {})] * 2
    )


PERSON = {
    "name": " Zoë 王 ",
    "kind": "person",
    "email": "Zoe@Example.CN",
    "phone": "+86 139-0000 0001",
    "lifecycle_stage": "customer",
    "tier": "gold",
    "gender": "female",
    "birth_date": "1990-01-31",
    "occupation": "engineer",
    "education": "master",
    "region": "江苏",
    "city": "苏州",
    "preferred_language": "zh_Hans",
    "id_number": "32050119900131002x",
}


def _stored(db, code):
    """The customer's row as the database holds it (no type processing), and its links."""
    row = dict(
        db.execute(sa.text("SELECT * FROM customers WHERE code = :c"), {"c": code}).one()._mapping
    )
    links = {
        "departments": set(
            db.scalars(
                sa.select(customer_departments.c.department_id).where(
                    customer_departments.c.customer_id == row["id"]
                )
            )
        ),
        "tags": set(
            db.scalars(
                sa.select(customer_tags.c.tag_id).where(customer_tags.c.customer_id == row["id"])
            )
        ),
    }
    for name in ("id", "code", "created_at", "updated_at"):
        row.pop(name)
    return row, links


def test_a_row_written_in_bulk_is_stored_as_the_service_stores_it(db):
    create_field(db, name="level", type="number", label="Level")
    sales = db.scalar(sa.select(Department).where(Department.code == "sales"))
    service.create_customer(
        db,
        {
            **PERSON,
            "code": "BY-SERVICE",
            "departments": ["sales"],
            "tags": ["vip", "新客户"],
            "custom": {"level": "3"},
        },
    )
    db.flush()
    importer = CustomerImporter(db)
    values = {
        **PERSON,
        "code": "BY-IMPORT",
        "departments": f"sales;{sales.name}",  # by code and by name: linked once
        "tags": "vip; 新客户",
        "custom.level": "3",
    }
    result = importer.import_batch(db, [Record(2, values)])
    assert result.totals() == (1, 0, 0) and not result.rejects
    by_service, service_links = _stored(db, "BY-SERVICE")
    by_import, import_links = _stored(db, "BY-IMPORT")
    assert by_import == by_service
    assert (
        import_links
        == service_links
        == {
            "departments": {sales.id},
            "tags": set(db.scalars(sa.select(Tag.id).where(Tag.name.in_(["vip", "新客户"])))),
        }
    )
    customer = db.scalar(sa.select(Customer).where(Customer.code == "BY-IMPORT"))
    assert (customer.name, customer.email, customer.phone) == (
        "Zoë 王",
        "zoe@example.cn",
        "+8613900000001",
    )
    assert (customer.birth_date, customer.id_number) == (date(1990, 1, 31), "32050119900131002X")
    assert customer.search_name == "zoë王" and customer.custom == {"level": 3}
    assert customer.phone_blind == sensitive.blind_phone("13900000001")
    assert customer.created_at.tzinfo is not None and customer.lifecycle_stage == "customer"


def test_bulk_rows_are_encrypted_like_the_service_s(db):
    key = sensitive.generate_key("k1")
    with sensitive.using(key):
        importer = CustomerImporter(db)
        result = importer.import_batch(
            db, [Record(2, {"code": "ENC1", "name": "甲", "kind": "person", **_secret()})]
        )
        assert result.totals() == (1, 0, 0)
        raw = db.execute(
            sa.text("SELECT phone, id_number, phone_blind FROM customers WHERE code = 'ENC1'")
        ).one()
        assert raw.phone.startswith(sensitive.PREFIX) and raw.id_number.startswith(sensitive.PREFIX)
        assert raw.phone_blind == sensitive.blind_phone("13900000002")
        customer = db.scalar(sa.select(Customer).where(Customer.code == "ENC1"))
        db.refresh(customer)
        assert (customer.phone, customer.id_number) == ("+8613900000002", "110101199001310021")


def _secret():
    return {"phone": "139 0000 0002", "id_number": "110101199001310021"}


def test_a_second_batch_updates_changes_links_and_parents(db):
    importer = CustomerImporter(db)
    header = {"code": "", "name": "", "kind": "person", "tags": "", "parent_code": ""}
    first = importer.import_batch(
        db,
        [
            Record(
                2, {**header, "code": "P1", "name": "总公司", "kind": "organization", "tags": "a;b"}
            ),
            Record(3, {**header, "code": "K1", "name": "分公司", "parent_code": "P1", "tags": "a"}),
            Record(4, {**header, "code": "K2", "name": "门店", "tags": ""}),
        ],
    )
    assert first.totals() == (3, 0, 0)
    ids = dict(db.execute(sa.select(Customer.code, Customer.id)).all())
    parent = db.scalar(sa.select(Customer.parent_id).where(Customer.code == "K1"))
    assert parent == ids["P1"]

    again = CustomerImporter(db)  # a later import of another file
    second = again.import_batch(
        db,
        [
            Record(
                2, {**header, "code": "P1", "name": "总公司", "kind": "organization", "tags": "b;c"}
            ),
            Record(
                3,
                {
                    **header,
                    "code": "K1",
                    "name": "分公司（苏州）",
                    "parent_code": "P1",
                    "tags": "a",
                },
            ),
            Record(4, {**header, "code": "K2", "name": "门店", "tags": ""}),
            Record(5, {**header, "code": "K3", "name": "新店", "parent_code": "K1", "tags": "c"}),
        ],
    )
    assert second.totals() == (1, 2, 1)
    assert sorted(second.updated) == sorted([ids["P1"], ids["K1"]])

    def tags_of(code):
        return sorted(
            db.scalars(
                sa.select(Tag.name)
                .join(customer_tags, customer_tags.c.tag_id == Tag.id)
                .join(Customer, Customer.id == customer_tags.c.customer_id)
                .where(Customer.code == code)
            )
        )

    assert [tags_of(c) for c in ("P1", "K1", "K2", "K3")] == [["b", "c"], ["a"], [], ["c"]]
    k3 = db.scalar(sa.select(Customer).where(Customer.code == "K3"))
    assert k3.parent_id == ids["K1"] and k3.lifecycle_stage == "prospect"
    assert db.scalar(sa.select(Customer.search_name).where(Customer.code == "K1")) == "分公司苏州"


def test_an_empty_lifecycle_stage_is_a_prospect_not_a_database_error(db):
    """The stage must hold a value: an empty cell in a file stands for the default, in
    bulk and row by row, where it used to reach the database as NULL and fail the batch."""
    rows = [
        Record(2, {"code": "E1", "name": "空阶段", "kind": "person", "lifecycle_stage": ""}),
        Record(3, {"code": "E2", "name": "客户", "kind": "person", "lifecycle_stage": "customer"}),
        # A bad value elsewhere in the column sends it through the row-by-row rules.
        Record(4, {"code": "E3", "name": "坏值", "kind": "person", "lifecycle_stage": "vip"}),
    ]
    result = CustomerImporter(db).import_batch(db, rows)
    assert result.totals()[0] == 2
    stages = dict(db.execute(sa.select(Customer.code, Customer.lifecycle_stage)).all())
    assert (stages["E1"], stages["E2"]) == ("prospect", "customer") and "E3" not in stages
    assert clean_customer({"lifecycle_stage": ""}, partial=True) == (
        {"lifecycle_stage": "prospect"},
        {},
    )
    bulk = CustomerImporter(db).import_batch(
        db, [Record(2, {"code": "E4", "name": "批量", "kind": "person", "lifecycle_stage": ""})]
    )
    assert bulk.totals()[0] == 1
    assert db.scalar(sa.select(Customer.lifecycle_stage).where(Customer.code == "E4")) == "prospect"
