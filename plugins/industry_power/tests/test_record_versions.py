"""Power accounts carry a version: ETag on reads, If-Match on PATCH."""

from __future__ import annotations

from crm_host.testing.versions import assert_if_match_protocol, read_etag


def test_account_patch_honours_if_match(api, app, make_customer):
    created = api.post(
        "/api/v1/power/accounts",
        json={
            "number": "3201000009",
            "customer_id": make_customer(name="苏州恒力钢铁").id,
            "service_point": "苏州工业园区星湖街 1 号",
            "category": "large_industry",
            "voltage_level": "10kV",
            "contracted_kva": 2000,
        },
    )
    assert created.status_code == 201, created.json
    url = f"/api/v1/power/accounts/{created.json['id']}"
    assert read_etag(api, url)[0] == f'"{created.json["id"]}.1"'
    final = assert_if_match_protocol(
        api,
        app,
        url,
        write=("PATCH", url),
        bodies=[{"contracted_kva": 2500}, {"contracted_kva": 3000}, {"contracted_kva": 3150}],
    )
    assert final == f'"{created.json["id"]}.4"'
    assert api.get(url).json["contracted_kva"] == "3150.0"
