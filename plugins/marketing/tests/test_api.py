"""The marketing REST API: segments with preview, campaigns with launch, RFM; bad input is 4xx."""

from __future__ import annotations

from datetime import timedelta

from crm_marketing import campaigns, sending

from crm_host.sdk import utcnow

CITY = {"all": [{"field": "city", "op": "eq", "value": "苏州"}]}


def test_segment_crud_and_preview(api, make_customer):
    make_customer(city="苏州", code="SZ1")
    make_customer(city="苏州", code="SZ2")
    make_customer(city="南京", code="NJ1")
    created = api.post("/api/v1/marketing/segments", json={"name": "苏州", "rules": CITY})
    assert created.status_code == 201, created.json
    segment_id = created.json["id"]
    preview = api.get(f"/api/v1/marketing/segments/{segment_id}/preview")
    assert preview.json["count"] == 2
    assert [c["code"] for c in preview.json["sample"]] == ["SZ1", "SZ2"]
    live = api.post(
        "/api/v1/marketing/segments/preview",
        json={"rules": {"any": [{"field": "city", "op": "in", "value": ["苏州", "南京"]}]}},
    )
    assert live.json["count"] == 3
    changed = api.patch(f"/api/v1/marketing/segments/{segment_id}", json={"name": "苏州客户"})
    assert changed.status_code == 200 and changed.json["name"] == "苏州客户"
    listed = api.get("/api/v1/marketing/segments")
    assert [s["name"] for s in listed.json["items"]] == ["苏州客户"]
    criteria = {c["name"]: c for c in api.get("/api/v1/marketing/segments/criteria").json}
    assert criteria["age_band"]["operators"] == ["in"] and criteria["city"]["plugin"] == "marketing"
    assert api.delete(f"/api/v1/marketing/segments/{segment_id}").status_code == 204


def test_bad_rules_are_a_422_naming_the_node(api):
    bad = api.post(
        "/api/v1/marketing/segments",
        json={
            "name": "坏规则",
            "rules": {
                "all": [
                    {"field": "city", "op": "eq", "value": "苏州"},
                    {"not": {"field": "nope", "op": "eq", "value": 1}},
                ]
            },
        },
    )
    assert bad.status_code == 422
    assert list(bad.json["errors"]) == ["rules.all[1].not.field"]
    deep = {"not": {}}
    for _ in range(20):
        deep = {"not": deep}
    assert api.post("/api/v1/marketing/segments/preview", json={"rules": deep}).status_code == 422
    assert api.post("/api/v1/marketing/segments", json={"name": "\x00"}).status_code == 422
    assert api.get("/api/v1/marketing/segments/99999999").status_code == 404


def test_static_list_members(api, make_customer):
    one, two = make_customer(), make_customer()
    created = api.post("/api/v1/marketing/segments", json={"name": "名单", "kind": "static"})
    url = f"/api/v1/marketing/segments/{created.json['id']}"
    assert api.post(f"{url}/members", json={"customer_ids": [one.id, two.id]}).json == {
        "changed": 2
    }
    assert api.delete(f"{url}/members", json={"customer_ids": [two.id]}).json == {"changed": 1}
    assert api.get(f"{url}/preview").json["count"] == 1
    assert api.post(f"{url}/members", json={"customer_ids": [987654321]}).status_code == 422


def test_campaign_from_draft_to_sent_with_stats_and_unsubscribe(
    api, app, db, make_customer, run_jobs
):
    reached = make_customer(city="苏州", email="a@example.com", consent=["email"])
    make_customer(city="苏州", email="b@example.com")  # no consent
    segment = api.post("/api/v1/marketing/segments", json={"name": "苏州", "rules": CITY}).json
    body = {
        "name": "春节",
        "channel": "email",
        "segment_id": segment["id"],
        "subject": "新春快乐",
        "body": "{{ name }}，新春快乐",
    }
    created = api.post("/api/v1/marketing/campaigns", json=body)
    assert created.status_code == 201, created.json
    url = f"/api/v1/marketing/campaigns/{created.json['id']}"
    assert api.patch(url, json={"subject": "新年快乐"}).json["subject"] == "新年快乐"
    launched = api.post(f"{url}/launch")
    assert launched.status_code == 200 and launched.json["status"] == "sending"
    assert api.post(f"{url}/launch").status_code == 409
    assert api.patch(url, json={"subject": "x"}).status_code == 409
    run_jobs(names=[campaigns.SEND_JOB])
    assert api.get(url).json["status"] == "sent"
    sends = api.get(f"{url}/sends").json["items"]
    assert [s["customer_id"] for s in sends] == [reached.id]
    clicked = api.post(f"{url}/responses", json={"customer_id": reached.id, "kind": "clicked"})
    assert clicked.json == {"recorded": True}
    stats = api.get(f"{url}/stats").json
    assert stats["clicked"] == 1 and stats["sent"] == 1 and stats["revenue"] == []
    from crm_marketing.models import Send

    with app.app_context():
        token = sending.unsubscribe_token(db.get(Send, sends[0]["id"]))
    gone = api.post("/api/v1/marketing/unsubscribes", json={"token": token})
    assert gone.status_code == 200 and gone.json["channel"] == "email"
    assert api.post("/api/v1/marketing/unsubscribes", json={"token": "forged"}).status_code == 400
    assert api.delete(url).status_code == 409  # sent campaigns stay


def test_campaign_input_errors_name_the_field(api):
    bad = api.post(
        "/api/v1/marketing/campaigns",
        json={"name": "x", "channel": "email", "segment_id": 123456, "body": "{% if %}"},
    )
    assert bad.status_code == 422 and "segment_id" in bad.json["errors"]
    assert api.post("/api/v1/marketing/campaigns", json={"channel": "fax"}).status_code == 422


def test_rfm_refresh_grid_and_scores(api, db, make_customer, buy, run_jobs):
    old, recent = make_customer(), make_customer()
    buy(old, "10.00", utcnow() - timedelta(days=400))
    buy(recent, "500.00", utcnow())
    queued = api.post("/api/v1/marketing/rfm/refresh", json={})
    assert queued.status_code == 202
    run_jobs(names=["marketing.refresh_rfm"])
    grid = api.get("/api/v1/marketing/rfm/grid").json
    assert len(grid["cells"]) == 25 and grid["computed_at"]
    assert {(c["r_score"], c["f_score"]): c["customers"] for c in grid["cells"]}[(5, 1)] == 1
    one = api.get(f"/api/v1/marketing/rfm/customers/{recent.id}").json
    assert one["code"] == "515" and one["monetary"] == "500.00"
    assert api.get("/api/v1/marketing/rfm?m_score=5").json["items"][0]["customer_id"] == recent.id
    assert api.get("/api/v1/marketing/rfm/customers/999999").status_code == 404
    assert api.post("/api/v1/marketing/rfm/refresh", json={"currency": "yuan"}).status_code == 422


def test_other_departments_are_refused_naming_the_plugin(client_for, make_user):
    seller = client_for(make_user("seller", departments=["sales"]))
    refused = seller.get("/api/v1/marketing/segments")
    assert refused.status_code == 403 and refused.json["plugin"] == "marketing"
