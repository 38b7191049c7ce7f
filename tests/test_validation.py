"""The validation vocabulary: each rule on hand-computed cases, and the marshmallow
fields answering exactly what the rules answer."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import marshmallow as ma
import pytest

from crm_host.core.errors import ValidationFailed
from crm_host.sdk import validation as check


def run(rule, value, **options):
    """``rule`` on ``value`` as field ``f``: (result, errors)."""
    errors: check.Errors = {}
    return rule(value, "f", errors, **options), errors


# Text


def test_text_is_trimmed_and_blank_is_none_unless_required():
    assert run(check.text, "  王芳 ", max_length=10) == ("王芳", {})
    assert run(check.text, "   ", max_length=10) == (None, {})
    assert run(check.text, None, max_length=10, required=True) == (None, {"f": ["Required."]})


def test_text_counts_characters_after_trimming():
    assert run(check.text, " abc ", max_length=3) == ("abc", {})
    assert run(check.text, "abcd", max_length=3)[1] == {"f": ["At most 3 characters."]}


def test_text_refuses_nul_and_other_controls_but_keeps_tab():
    assert run(check.text, "a\x00b", max_length=10)[1] == {
        "f": ["Control characters are not allowed."]
    }
    assert run(check.text, "a\x1bb", max_length=10)[1] == {
        "f": ["Control characters are not allowed."]
    }
    assert run(check.text, "a\x7fb", max_length=10)[1] != {}
    assert run(check.text, "a\tb", max_length=10) == ("a\tb", {})


def test_crlf_is_refused_in_single_line_text_and_normalised_in_multiline_text():
    assert run(check.text, "one\r\ntwo", max_length=20)[1] == {
        "f": ["Control characters are not allowed."]
    }
    assert run(check.text, "one\ntwo", max_length=20)[1] != {}
    assert run(check.text, "one\r\ntwo\rthree", max_length=20, multiline=True) == (
        "one\ntwo\nthree",
        {},
    )
    # NUL stays refused in multiline text.
    assert run(check.text, "one\n\x00", max_length=20, multiline=True)[1] != {}


def test_text_refuses_what_is_not_text():
    assert run(check.text, 12, max_length=10) == (None, {"f": ["Must be text."]})


# Money and currencies


def test_money_keeps_two_places():
    assert run(check.money, "12.5") == (Decimal("12.50"), {})
    assert run(check.money, 7) == (Decimal("7.00"), {})
    assert str(run(check.money, 0.1)[0]) == "0.10"


def test_money_with_three_decimals_is_refused_not_rounded():
    assert run(check.money, "12.345") == (None, {"f": ["At most 2 decimal places."]})
    # A currency without minor units (JPY) takes places=0.
    assert run(check.money, "120", places=0) == (Decimal("120"), {})
    assert run(check.money, "120.5", places=0)[1] == {"f": ["At most 0 decimal places."]}


def test_money_refuses_negatives_unless_allowed_and_bounds_both_ways():
    assert run(check.money, "-1")[1] == {"f": ["Cannot be negative."]}
    assert run(check.money, "-1", allow_negative=True) == (Decimal("-1.00"), {})
    assert run(check.money, "10000000000000")[1] == {"f": ["At most 9999999999999.99."]}
    assert run(check.money, "-10000000000000", allow_negative=True)[1] != {}


@pytest.mark.parametrize("value", ["abc", "NaN", "Infinity", True, [], ""])
def test_money_refuses_what_is_not_a_number(value):
    expected = "Required." if value == "" else "Not a number."
    assert run(check.money, value) == (None, {"f": [expected]})


def test_money_may_be_optional():
    assert run(check.money, None, required=False) == (None, {})


def test_currency_is_three_capitals():
    assert run(check.currency, " CNY ") == ("CNY", {})
    for value in ("cny", "YUAN", "C1Y", 156):
        assert run(check.currency, value) == (None, {"f": ["Three capital letters, e.g. CNY."]})


# Decimals


def test_decimal_rounds_to_its_places_within_bounds():
    assert run(check.decimal, "630.25", places=1, minimum=0, maximum=1000) == (
        Decimal("630.2"),
        {},
    )
    assert run(check.decimal, "1.5", places=3) == (Decimal("1.500"), {})


def test_decimal_names_its_bounds():
    options = {"places": 1, "minimum": 0, "maximum": 100, "min_exclusive": True}
    assert run(check.decimal, "0", **options)[1] == {"f": ["A number more than 0 and at most 100."]}
    assert run(check.decimal, "100", **options) == (Decimal("100.0"), {})
    assert run(check.decimal, "100.01", **options)[1] != {}
    assert run(check.decimal, "120", places=2, minimum=0, maximum=100)[1] == {
        "f": ["A number from 0 to 100."]
    }
    assert run(check.decimal, "x", places=0)[1] == {"f": ["A number."]}
    assert run(check.decimal, "10", places=0, maximum=10, max_exclusive=True)[1] == {
        "f": ["A number less than 10."]
    }


# Choices


def test_choice_names_the_allowed_values():
    assert run(check.choice, "lv", choices=("lv", "mv", "hv")) == ("lv", {})
    assert run(check.choice, "LV", choices=("lv", "mv", "hv")) == (
        None,
        {"f": ["Must be one of: lv, mv, hv."]},
    )
    assert run(check.choice, None, choices=("a",)) == (None, {})


# Dates


def test_date_reads_iso_days_and_says_how_to_write_one():
    assert run(check.date, "2026-12-31") == (date(2026, 12, 31), {})
    assert run(check.date, date(2026, 1, 2)) == (date(2026, 1, 2), {})
    message = {"f": ["Not a date: write YYYY-MM-DD, e.g. 2026-12-31."]}
    assert run(check.date, "31/12/2026") == (None, message)
    assert run(check.date, "2026-02-30") == (None, message)
    assert run(check.date, "20261231") == (None, message)


def test_date_within_bounds():
    bounds = {"minimum": date(2020, 1, 1), "maximum": date(2030, 12, 31)}
    assert run(check.date, "2019-12-31", **bounds)[1] == {
        "f": ["Must be between 2020-01-01 and 2030-12-31."]
    }


# References, phones and e-mails


def test_reference_id_is_a_positive_integer():
    assert run(check.reference_id, 5) == (5, {})
    assert run(check.reference_id, " 5") == (5, {})
    assert run(check.reference_id, None) == (None, {"f": ["Required."]})
    for value in (0, -1, True, "x", "-5", 2.5, 2**63):
        assert run(check.reference_id, value)[1] == {"f": ["Not an id: a whole number from 1."]}


def test_customer_ref_checks_the_customer_exists(db):
    from crm_host.core.models import Customer

    customer = Customer(code="V1", name="王芳", kind="person")
    db.add(customer)
    db.flush()
    errors: check.Errors = {}
    assert check.customer_ref(db, customer.id, "customer_id", errors) == customer.id
    missing = customer.id + 1000
    assert check.customer_ref(db, missing, "customer_id", errors) is None
    assert errors == {"customer_id": [f"No customer with id {missing}."]}


def test_phone_uses_the_customer_records_rule():
    assert run(check.phone, "+86 138-1234-5678") == ("+8613812345678", {})
    assert run(check.phone, "call me")[1] == {
        "f": ["Not a valid phone number: digits, optionally starting with +."]
    }


def test_email_uses_the_customer_records_rule():
    assert run(check.email, " Wang.Fang@Example.CN ") == ("wang.fang@example.cn", {})
    assert run(check.email, "wang@example")[1] == {"f": ["Not a valid email address."]}


def test_fail_if_raises_with_the_errors_as_details():
    check.fail_if({}, "fine")
    with pytest.raises(ValidationFailed) as raised:
        check.fail_if({"f": ["Required."]}, "the thing is not valid")
    assert raised.value.message == "the thing is not valid"
    assert raised.value.details == {"f": ["Required."]}


# The fields answer what the rules answer


class Example(ma.Schema):
    name = check.Text(5, allow_blank=False)
    note = check.Text(20, multiline=True)
    price = check.Money()
    share = check.Decimal(places=2, minimum=0, maximum=1)
    level = check.Choice(("lv", "hv"))
    day = check.Date()
    customer_id = check.CustomerRef()
    phone = check.Phone()
    email = check.Email()


def test_fields_load_through_the_rules():
    loaded = Example().load(
        {
            "name": " abc ",
            "note": "a\r\nb",
            "price": "1.50",
            "share": 0.5,
            "level": "hv",
            "day": "2026-12-31",
            "customer_id": 3,
            "phone": "138 1234 5678",
            "email": "A@B.CN",
        }
    )
    assert loaded == {
        "name": "abc",
        "note": "a\nb",
        "price": Decimal("1.50"),
        "share": Decimal("0.50"),
        "level": "hv",
        "day": date(2026, 12, 31),
        "customer_id": 3,
        "phone": "+8613812345678",  # E.164, in the company's region (CN)
        "email": "a@b.cn",
    }


def test_fields_answer_the_rules_messages():
    with pytest.raises(ma.ValidationError) as raised:
        Example().load(
            {
                "name": "a\x00",
                "price": "1.234",
                "level": "mv",
                "day": "tomorrow",
                "customer_id": "x3",
                "email": "nobody",
            }
        )
    assert raised.value.messages == {
        "name": ["Control characters are not allowed."],
        "price": ["At most 2 decimal places."],
        "level": ["Must be one of: lv, hv."],
        "day": ["Not a date: write YYYY-MM-DD, e.g. 2026-12-31."],
        "customer_id": ["Not an id: a whole number from 1."],
        "email": ["Not a valid email address."],
    }


def test_blank_text_field_loads_as_empty_unless_refused():
    assert Example().load({"note": "  "}) == {"note": ""}
    with pytest.raises(ma.ValidationError) as raised:
        Example().load({"name": "  "})
    assert raised.value.messages == {"name": ["Required."]}
