"""Every keyset list refuses a cursor that is not one of its own with a 400, never a 500."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

#: Cursors that are not a list's: base64 JSON of the wrong shape or type, and plain junk.
MALFORMED = {
    "junk": "!!not-base64!!",
    "not json": base64.urlsafe_b64encode(b"{{{").decode(),
    "not utf-8": base64.urlsafe_b64encode(b"\xff\xfe\xfd").decode(),
    "an object": {"id": 5},
    "a bare number": 5,
    "too few values": [],
    "too many values": [1, 2, 3, 4],
    "null values": [None, None],
    "nested lists": [[1], [2]],
    "a string for an id": ["x", "y"],
    "a boolean": [True, True],
    "a huge number": [10**30, 10**30],
    "a float": [1.5, 2.5],
}


def _encode(value: Any) -> str:
    if isinstance(value, str):
        return value
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


@pytest.fixture
def admin_api(make_user, client_for):
    return client_for(
        make_user("cursor-admin", admin=True, departments=["sales", "service", "marketing"])
    )


def _keyset_lists(api) -> list[str]:
    """Every GET route of the OpenAPI document that takes a ``cursor``."""
    spec = api.get("/api/v1/openapi.json").get_json()
    return sorted(
        path
        for path, operations in spec["paths"].items()
        if any(p["name"] == "cursor" for p in operations.get("get", {}).get("parameters", []))
    )


def _objects(api, make_customer) -> dict[str, int]:
    """An object for each path argument a keyset list takes, made through the API."""
    segment = api.post(
        "/api/v1/marketing/segments",
        json={"name": "游标", "rules": {"all": [{"field": "city", "op": "eq", "value": "苏州"}]}},
    ).get_json()
    campaign = api.post(
        "/api/v1/marketing/campaigns",
        json={
            "name": "游标",
            "channel": "email",
            "segment_id": segment["id"],
            "subject": "hi",
            "body": "hi",
        },
    ).get_json()
    journey = api.post(
        "/api/v1/marketing/journeys",
        json={
            "name": "游标",
            "trigger": "segment",
            "segment_id": segment["id"],
            "steps": [{"tag": {"name": "x"}}],
        },
    ).get_json()
    return {
        "customer_id": make_customer().id,
        "campaign_id": campaign["id"],
        "journey_id": journey["id"],
    }


def test_every_keyset_list_answers_a_malformed_cursor_with_400(admin_api, make_customer):
    lists = _keyset_lists(admin_api)
    # The host's five, sales' five, service's tickets, marketing's seven.
    assert len(lists) == 18, lists
    objects = _objects(admin_api, make_customer)
    checked = 0
    for path in lists:
        url = path
        for name, value in objects.items():
            url = url.replace("{" + name + "}", str(value))
        assert "{" not in url, f"no object for {path}"
        assert admin_api.get(url).status_code == 200, url
        for label, cursor in MALFORMED.items():
            response = admin_api.get(url, query_string={"cursor": _encode(cursor)})
            assert response.status_code == 400, (url, label, response.get_json())
            body = response.get_json()
            assert body["errors"] == {"cursor": ["Not a cursor."]}, (url, label)
            checked += 1
    assert checked == 18 * len(MALFORMED)


def test_a_cursor_of_another_sort_order_is_400(admin_api, make_customer):
    for n in range(3):
        make_customer(code=f"CUR{n}", name=f"游标{n}")
    by_name = admin_api.get("/api/v1/customers?sort=name&limit=1").get_json()
    assert by_name["next_cursor"]
    # A name where the creation time should be: not a timestamp.
    other = admin_api.get(
        "/api/v1/customers", query_string={"sort": "created_at", "cursor": by_name["next_cursor"]}
    )
    assert other.status_code == 400 and other.get_json()["errors"] == {"cursor": ["Not a cursor."]}
    naive = _encode(["2026-01-01T00:00:00", 1])  # a timestamp without its zone
    response = admin_api.get(
        "/api/v1/customers", query_string={"sort": "-created_at", "cursor": naive}
    )
    assert response.status_code == 400


def test_the_console_shows_a_foreign_cursor_as_an_error(make_user, client_for, make_customer):
    # The console's customer list uses the same key declarations: an error, not a 500.
    client = client_for(make_user("cursor-console", departments=["sales"]))
    response = client.get("/customers", query_string={"cursor": _encode({"id": 1})})
    assert response.status_code in (200, 422)
    assert "Not a cursor." in response.get_data(as_text=True)
