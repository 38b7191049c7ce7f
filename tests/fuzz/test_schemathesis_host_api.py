"""Schemathesis over the whole OpenAPI document: no input, however odd, gets a 5xx.

Bounded (a few dozen examples per operation) so the run stays short; run it longer
with ``CRM_FUZZ_EXAMPLES=500``. Driven through Hypothesis directly, one operation
after another, so that every failing operation is reported at once.
"""

from __future__ import annotations

import os

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from crm_host.tokens import create_token

EXAMPLES = int(os.environ.get("CRM_FUZZ_EXAMPLES", "25"))


def fuzz(app, headers: dict[str, str]) -> dict[str, str]:
    """Run every operation of the app's document; returns failures by operation."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures: dict[str, str] = {}
    for result in schema.get_all_operations():
        operation = result.ok()

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
            failures[operation.label] = str(error)[:500]
    return failures


def test_no_server_errors_anywhere_in_the_api(app, db, make_user):
    user = make_user("fuzz-admin", departments=["sales", "service"], admin=True)
    _, secret = create_token(db, user, name="fuzz")
    db.commit()
    failures = fuzz(app, {"Authorization": f"Bearer {secret}"})
    assert failures == {}


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
    failures = fuzz(app, {})
    assert list(failures) == ["POST /api/v1/divide"]
