"""Tests for the deterministic demo customer generator."""

from __future__ import annotations

import dataclasses
import random
import re
from collections import Counter
from datetime import date

import pytest

from crm_host.demo.data import (
    ADDRESS_KINDS,
    DEPARTMENTS,
    EDUCATION_LEVELS,
    INDUSTRIES,
    LIFECYCLE_STAGES,
    OCCUPATIONS,
    REFERENCE_DATE,
    TAGS,
    TIERS,
    DemoCustomer,
    generate_customers,
)

E164 = re.compile(r"^\+[1-9]\d{6,14}$")
CN_MOBILE = re.compile(r"^\+861(3\d|5[0-35-9]|66|7[3678]|8\d|9[189])\d{8}$")
CJK = re.compile(r"^[\u4e00-\u9fff]+$")
ALLOWED_DOMAINS = {"example.com", "example.cn", "example.org"}
POSTAL_CODES = {
    "CN": re.compile(r"^\d{6}$"),
    "GB": re.compile(r"^[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}$"),
    "US": re.compile(r"^\d{5}$"),
    "CA": re.compile(r"^[A-Z]\d[A-Z] \d[A-Z]\d$"),
    "IE": re.compile(r"^[A-Z]\d{2} [A-Z0-9]{4}$"),
    "AU": re.compile(r"^\d{4}$"),
}
SEEDS = (2026, 1, 42)


@pytest.fixture(scope="module")
def customers() -> list[DemoCustomer]:
    return generate_customers(1000)


def _all_emails(customers: list[DemoCustomer]) -> list[str]:
    emails = [c.email for c in customers if c.email]
    emails += [p.email for c in customers for p in c.contacts if p.email]
    return emails


def _all_phones(customers: list[DemoCustomer]) -> list[str]:
    phones = [c.phone for c in customers if c.phone]
    phones += [p.phone for c in customers for p in c.contacts if p.phone]
    return phones


# ------------------------------------------------------------------ determinism


def test_same_seed_gives_the_same_list():
    assert generate_customers(300, seed=7) == generate_customers(300, seed=7)


def test_default_seed_is_stable(customers):
    assert generate_customers(1000) == customers
    assert generate_customers(1000, seed=2026) == customers


def test_different_seeds_give_different_lists():
    assert generate_customers(50, seed=1) != generate_customers(50, seed=2)


def test_shorter_list_is_a_prefix_of_a_longer_one(customers):
    assert generate_customers(120) == customers[:120]


def test_global_random_state_is_left_alone():
    random.seed(99)
    before = random.getstate()
    generate_customers(200)
    assert random.getstate() == before


def test_zero_count_and_negative_count():
    assert generate_customers(0) == []
    with pytest.raises(ValueError, match="count"):
        generate_customers(-1)


def test_records_are_frozen(customers):
    with pytest.raises(dataclasses.FrozenInstanceError):
        customers[0].name = "changed"  # type: ignore[misc]


# ------------------------------------------------------------------ uniqueness


def test_codes_are_unique_and_shaped_by_kind(customers):
    codes = [c.code for c in customers]
    assert len(set(codes)) == len(codes)
    for c in customers:
        prefix = "C" if c.kind == "person" else "O"
        assert re.fullmatch(rf"{prefix}\d{{6}}", c.code), c.code


def test_emails_are_unique_across_customers_and_contacts(customers):
    emails = _all_emails(customers)
    assert len(set(emails)) == len(emails)


def test_emails_use_reserved_example_domains_and_ascii(customers):
    for email in _all_emails(customers):
        local, _, domain = email.partition("@")
        assert domain in ALLOWED_DOMAINS, email
        assert email.isascii() and email == email.lower(), email
        assert re.fullmatch(r"[a-z0-9][a-z0-9.]*", local), email


def test_chinese_person_emails_are_pinyin_free_handles(customers):
    chinese = [c for c in customers if c.kind == "person" and c.preferred_language == "zh_Hans"]
    for c in chinese:
        if c.email:
            assert re.fullmatch(r"user\d+@example\.(cn|com)", c.email), c.email


def test_phones_are_unique_while_ranges_last(customers):
    phones = _all_phones(customers)
    assert len(set(phones)) == len(phones)


# ------------------------------------------------------------------ ratios


@pytest.mark.parametrize("seed", SEEDS)
def test_ratios_on_a_thousand_customers(seed):
    batch = generate_customers(1000, seed=seed)
    share = Counter()
    for c in batch:
        share["person"] += c.kind == "person"
        share["chinese"] += c.preferred_language == "zh_Hans"
        share["no_email"] += c.email is None
        share["no_phone"] += c.phone is None
    assert 0.65 <= share["person"] / 1000 <= 0.75
    assert 0.81 <= share["chinese"] / 1000 <= 0.89
    assert 0.06 <= share["no_email"] / 1000 <= 0.14
    assert 0.06 <= share["no_phone"] / 1000 <= 0.14


@pytest.mark.parametrize("seed", SEEDS)
def test_lifecycle_is_weighted_towards_customer(seed):
    stages = Counter(c.lifecycle_stage for c in generate_customers(1000, seed=seed))
    assert stages.most_common(1)[0][0] == "customer"
    assert 0.5 <= stages["customer"] / 1000 <= 0.7
    assert set(stages) == set(LIFECYCLE_STAGES)


def test_every_kind_of_value_occurs(customers):
    assert {c.tier for c in customers} == {*TIERS, None}
    assert {d for c in customers for d in c.departments} == set(DEPARTMENTS)
    assert {t for c in customers for t in c.tags} == set(TAGS)
    assert {c.industry for c in customers if c.industry} == set(INDUSTRIES)
    assert {a.kind for c in customers for a in c.addresses} == set(ADDRESS_KINDS)
    assert {a.country for c in customers for a in c.addresses} == set(POSTAL_CODES)


# ------------------------------------------------------------------ shape


def test_values_come_from_the_vocabularies(customers):
    for c in customers:
        assert c.kind in ("person", "organization")
        assert c.lifecycle_stage in LIFECYCLE_STAGES
        assert c.tier is None or c.tier in TIERS
        assert c.preferred_language in ("zh_Hans", "en")
        assert set(c.departments) <= set(DEPARTMENTS)
        assert len(set(c.departments)) == len(c.departments)
        assert 0 <= len(c.tags) <= 3 and len(set(c.tags)) == len(c.tags)
        assert set(c.tags) <= set(TAGS)


def test_persons_have_person_fields_only(customers):
    persons = [c for c in customers if c.kind == "person"]
    for c in persons:
        assert c.contacts == ()
        assert c.industry is None and c.parent_code is None
        assert c.gender in ("female", "male", None)
        assert c.occupation is None or c.occupation in OCCUPATIONS
        assert c.education is None or c.education in EDUCATION_LEVELS
    assert any(c.gender is None for c in persons)
    assert any(c.birth_date is None for c in persons)


def test_birth_dates_are_plausible_adults(customers):
    for c in customers:
        if c.birth_date is None:
            continue
        age = (REFERENCE_DATE - c.birth_date).days / 365.25
        assert 18 <= age <= 90, (c.code, c.birth_date)
        assert c.birth_date < date(2008, 1, 2)


def test_organisations_have_contacts_and_an_industry(customers):
    for c in customers:
        if c.kind != "organization":
            continue
        assert c.industry in INDUSTRIES
        assert 1 <= len(c.contacts) <= 3
        assert [p.is_primary for p in c.contacts].count(True) == 1
        assert c.contacts[0].is_primary
        assert c.gender is c.birth_date is c.occupation is c.education is None


def test_parent_codes_refer_to_earlier_organisations(customers):
    seen: dict[str, DemoCustomer] = {}
    subsidiaries = 0
    for c in customers:
        if c.parent_code is not None:
            subsidiaries += 1
            assert c.kind == "organization"
            parent = seen[c.parent_code]  # KeyError: a later or unknown parent
            assert parent.kind == "organization"
            assert parent.parent_code is None
            assert parent.preferred_language == c.preferred_language
            assert parent.industry == c.industry
        seen[c.code] = c
    assert subsidiaries > 0


def test_addresses_are_consistent(customers):
    for c in customers:
        assert 1 <= len(c.addresses) <= 2
        kinds = [a.kind for a in c.addresses]
        assert len(set(kinds)) == len(kinds)
        first = c.addresses[0]
        assert (c.city, c.region) == (first.city, first.region)
        for a in c.addresses:
            assert a.kind in ADDRESS_KINDS and a.line1
            assert POSTAL_CODES[a.country].match(a.postal_code), (a.country, a.postal_code)
            assert (a.country == "CN") == (c.preferred_language == "zh_Hans")


# ------------------------------------------------------------------ names and phones


def test_chinese_person_names(customers):
    names = [c.name for c in customers if c.kind == "person" and c.preferred_language == "zh_Hans"]
    assert all(CJK.match(n) and 2 <= len(n) <= 4 for n in names)
    lengths = Counter(len(n) for n in names)
    # Two-character names (王芳) and three-character ones (王建华) must both be there.
    assert lengths[2] >= 50 and lengths[3] >= 200


def test_chinese_organisation_names(customers):
    names = [
        c.name for c in customers if c.kind == "organization" and c.preferred_language == "zh_Hans"
    ]
    assert names
    for name in names:
        assert CJK.match(name), name
        assert name.endswith(("公司", "医院", "保健院")), name
        assert name[:2] in {c.city[:2] for c in customers}, name
    assert any(n.endswith("分公司") for n in names)


def test_english_names_are_ascii_friendly(customers):
    for c in customers:
        if c.preferred_language == "en" and c.kind == "person":
            given, _, family = c.name.partition(" ")
            assert given and family and c.name.isascii(), c.name


def test_phone_numbers_are_e164(customers):
    for phone in _all_phones(customers):
        assert E164.match(phone), phone


def test_chinese_mobiles_use_real_prefixes_and_uk_people_have_uk_numbers(customers):
    for c in customers:
        if c.kind == "person" and c.phone:
            if c.preferred_language == "zh_Hans":
                assert CN_MOBILE.match(c.phone), c.phone
            elif c.addresses[0].country == "GB":
                assert c.phone.startswith("+447700900"), c.phone
    for c in customers:
        for p in c.contacts:
            if p.phone and c.preferred_language == "zh_Hans":
                assert CN_MOBILE.match(p.phone), p.phone
