"""A query parameter an endpoint does not define is a 400 naming it, never silently ignored
(a misspelt filter would otherwise answer the unfiltered list)."""

from __future__ import annotations

import pytest


@pytest.fixture
def admin(make_user, client_for):
    return client_for(make_user("query-admin", admin=True))


def test_an_unknown_filter_is_a_400_naming_it(admin):
    answer = admin.get("/api/v1/jobs", query_string={"stauts": "failed", "limit": 5})
    assert answer.status_code == 400
    assert answer.json["message"] == "unknown query parameter(s): stauts"
    assert answer.json["errors"] == {"query": {"stauts": ["Unknown field."]}}


def test_several_unknown_parameters_are_all_named(admin):
    answer = admin.get("/api/v1/customers", query_string={"colour": "red", "q": "x", "age": 3})
    assert answer.status_code == 400
    assert answer.json["message"] == "unknown query parameter(s): age, colour"


def test_a_plugins_list_endpoint_refuses_them_too(make_user, client_for):
    seller = client_for(make_user("query-seller", departments=["sales"], role="manager"))
    answer = seller.get("/api/v1/sales/leads", query_string={"owner_name": "x"})
    assert answer.status_code == 400 and "owner_name" in answer.json["message"]


def test_known_parameters_and_pagination_still_work(admin, make_customer):
    for n in range(3):
        make_customer(name=f"Query Customer {n}")
    first = admin.get("/api/v1/customers", query_string={"limit": 2})
    assert first.status_code == 200 and len(first.json["items"]) == 2
    second = admin.get(
        "/api/v1/customers", query_string={"limit": 2, "cursor": first.json["next_cursor"]}
    )
    assert second.status_code == 200
    bad_value = admin.get("/api/v1/jobs", query_string={"status": "lost"})
    assert bad_value.status_code == 422  # a known parameter with a bad value stays a 422
