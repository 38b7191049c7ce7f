"""The loyalty REST API: answers, bad input, permissions and the department gate."""

from __future__ import annotations


def test_a_clerk_awards_and_redeems_points(api, make_customer):
    customer = make_customer()
    url = f"/api/v1/loyalty/accounts/{customer.id}"
    earned = api.post(f"{url}/movements", json={"points": 50, "reason": "Birthday"})
    assert earned.status_code == 201, earned.json
    redeemed = api.post(f"{url}/movements", json={"points": -120, "reason": "Voucher"})
    assert redeemed.status_code == 201
    account = api.get(url).json
    assert account["balance"] == 30
    assert [m["points"] for m in account["movements"]] == [-120, 50, 100]


def test_bad_input_is_4xx_naming_the_field(api, make_customer):
    customer = make_customer()
    url = f"/api/v1/loyalty/accounts/{customer.id}/movements"
    too_many = api.post(url, json={"points": -500, "reason": "Voucher"})
    assert too_many.status_code == 422 and "points" in too_many.json["errors"]
    assert api.post(url, json={"points": 5}).status_code == 422
    assert api.post(url, json={"points": 0, "reason": "x"}).status_code == 422
    nobody = api.post(
        "/api/v1/loyalty/accounts/999999/movements", json={"points": 1, "reason": "x"}
    )
    assert nobody.status_code == 422 and "customer_id" in nobody.json["errors"]
    assert api.get("/api/v1/loyalty/accounts/999999").status_code == 404


def test_viewers_read_and_other_departments_are_refused(client_for, make_user, make_customer):
    customer = make_customer()
    url = f"/api/v1/loyalty/accounts/{customer.id}"
    viewer = client_for(make_user("viewer", departments=["shop"], role="viewer"))
    assert viewer.get(url).status_code == 200
    assert viewer.post(f"{url}/movements", json={"points": 1, "reason": "x"}).status_code == 403
    outsider = client_for(make_user("picker", departments=["warehouse"]))
    refused = outsider.get(url)
    assert refused.status_code == 403 and refused.json["plugin"] == "loyalty"
