"""Schemathesis over the marketing operations: no input, however odd, gets a 5xx."""

from __future__ import annotations

import os

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from crm_host.tokens import create_token

EXAMPLES = int(os.environ.get("CRM_FUZZ_EXAMPLES", "25"))


def test_no_server_errors_in_the_marketing_api(app, db, make_user, make_customer):
    user = make_user("fuzz-marketer", departments=["marketing"], admin=True)
    make_customer(city="苏州", email="f@example.com", consent=["email"])
    _, secret = create_token(db, user, name="fuzz")
    db.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures: dict[str, str] = {}
    operations = [
        result.ok()
        for result in schema.get_all_operations()
        if result.ok().path.startswith("/api/v1/marketing/")
    ]
    assert len(operations) >= 20
    for operation in operations:

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        @given(case=operation.as_strategy())
        def run(case):
            response = case.call(headers=headers)
            case.validate_response(response, checks=[not_a_server_error])

        try:
            run()
        except Exception as error:  # collected: every failing operation is reported
            failures[operation.label] = str(error)[:2000]
    assert failures == {}
