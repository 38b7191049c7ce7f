"""Schemathesis over every route of the API (host and plugins) on ``crm demo`` data.

No input gets a 5xx. The demo company (see ``conftest.py``) gives list routes more
than one page and item routes real ids. The run is short in the normal suite (a few
examples per operation); CI runs it longer on PostgreSQL with ``CRM_FUZZ_EXAMPLES``
and a wall-time cap, ``CRM_FUZZ_SECONDS``. Then the document's links are followed
as state machines: created ids into GET and PATCH, a list's next cursor into its next page.
"""

from __future__ import annotations

import os
from collections import Counter

from crm_host.core.host import get_host
from crm_host.testing.fuzz import fuzz_api, fuzz_links

#: Examples per operation when CRM_FUZZ_EXAMPLES is not set: the suite's short run.
SUITE_EXAMPLES = 4
#: Link-following scenarios: the suite's short run, and CI's (with CRM_FUZZ_EXAMPLES).
SUITE_SCENARIOS, CI_SCENARIOS = 15, 100
#: CI's scenarios stop starting after this long (the stage is capped at 6 minutes).
CI_SCENARIO_SECONDS = 40


def test_the_document_links_a_created_customer_to_its_get_and_patch(demo_site):
    # First in the file: the fuzzers after it change the shared demo company (a
    # required custom field they add refuses this test's customer).
    client = demo_site.app.test_client()
    headers = demo_site.headers()
    spec = client.get("/api/v1/openapi.json").json
    links = spec["paths"]["/api/v1/customers"]["post"]["responses"]["201"]["links"]
    item = "#/paths/~1api~1v1~1customers~1{customer_id}"
    assert links["CreatedGet"] == {
        "operationRef": f"{item}/get",
        "parameters": {"customer_id": "$response.body#/id"},
    }
    assert links["CreatedPatch"]["operationRef"] == f"{item}/patch"
    same = spec["paths"]["/api/v1/customers/{customer_id}"]["get"]["responses"]["200"]["links"]
    assert same["SamePatch"]["parameters"] == {"customer_id": "$request.path.customer_id"}
    for path in ("/api/v1/customers", "/api/v1/marketing/rfm", "/api/v1/service/tickets"):
        next_page = spec["paths"][path]["get"]["responses"]["200"]["links"]["NextPage"]
        assert next_page["parameters"] == {"cursor": "$response.body#/next_cursor"}

    # Following them by hand: create → get → patch the same customer.
    created = client.post(
        "/api/v1/customers",
        json={"code": "LNK-1", "name": "链接", "kind": "person"},
        headers=headers,
    )
    assert created.status_code == 201, created.json
    url = f"/api/v1/customers/{created.json['id']}"
    assert client.get(url, headers=headers).json["code"] == "LNK-1"
    patched = client.patch(url, json={"name": "链接二"}, headers=headers)
    assert patched.status_code == 200 and patched.json["name"] == "链接二"
    # And a list's next cursor into its next page: the demo has more than one page.
    first = client.get("/api/v1/customers?limit=5", headers=headers).json
    assert len(first["items"]) == 5 and first["next_cursor"]
    second = client.get(
        f"/api/v1/customers?limit=5&cursor={first['next_cursor']}", headers=headers
    ).json
    assert {c["id"] for c in first["items"]}.isdisjoint(c["id"] for c in second["items"])


def test_no_server_errors_in_any_route_on_demo_data(demo_site):
    statuses: dict[str, Counter[int]] = {}
    examples = None if os.environ.get("CRM_FUZZ_EXAMPLES") else SUITE_EXAMPLES
    count, failures = fuzz_api(
        demo_site.app, demo_site.headers, max_examples=examples, statuses=statuses
    )
    # Every plugin's routes are in the run, not only the host's.
    # The demo installs every built-in (a distribution another test put on the path
    # is present but not installed, so it has no routes to fuzz).
    for manifest in (plugin.manifest for plugin in get_host(demo_site.app).plugins.loaded):
        assert any(f"/api/v1/{manifest.slug}/" in label for label in statuses), manifest.slug
    assert count >= 200
    # The fuzzer reached the application, not only its sign-in check and 404s.
    answered = [label for label, seen in statuses.items() if any(200 <= s < 300 for s in seen)]
    assert len(answered) >= 60
    assert failures == {}


def test_no_server_errors_following_the_links_on_demo_data(demo_site):
    calls: Counter[tuple[str, int]] = Counter()
    ci = bool(os.environ.get("CRM_FUZZ_EXAMPLES"))
    scenarios = CI_SCENARIOS if ci else SUITE_SCENARIOS
    failures = fuzz_links(
        demo_site.app,
        demo_site.headers,
        scenarios=scenarios,
        calls=calls,
        seconds=CI_SCENARIO_SECONDS if ci else None,
    )
    assert sum(calls.values()) >= SUITE_SCENARIOS
    assert failures == []


def test_the_fuzzer_reports_a_server_error():
    import marshmallow as ma
    from flask import Flask
    from flask.views import MethodView
    from flask_smorest import Api, Blueprint

    app = Flask("broken")
    app.config.update(
        API_TITLE="t",
        API_VERSION="1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
    )
    api = Api(app)
    blp = Blueprint("broken", __name__)

    class Body(ma.Schema):
        number = ma.fields.Integer(required=True)

    @blp.route("/divide")
    class Divide(MethodView):
        @blp.arguments(Body)
        def post(self, body):
            return {"result": body["number"] / 0}  # a 500 on every valid body

    api.register_blueprint(blp, url_prefix="/api/v1")
    count, failures = fuzz_api(app, {})
    assert count == 1 and list(failures) == ["POST /api/v1/divide"]
