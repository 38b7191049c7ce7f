"""Schemathesis over the host's part of the OpenAPI document: no input gets a 5xx.

Bounded (a few dozen examples per operation) so the run stays short; run it longer
with ``CRM_FUZZ_EXAMPLES=500``. Each plugin fuzzes its own operations in its tests
with the same helper (``crm_host.testing.fuzz``).
"""

from __future__ import annotations

from crm_host.plugins import discover
from crm_host.testing.fuzz import fuzz_api, outside
from crm_host.tokens import create_token


def fuzz(app, headers: dict[str, str]) -> dict[str, str]:
    """Every host operation (each plugin fuzzes its own routes in its tests)."""
    plugins = [f"/api/v1/{m.slug}/" for m in discover().manifests.values()]
    count, failures = fuzz_api(app, headers, include=outside(plugins))
    assert count >= 40
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
    count, failures = fuzz_api(app, {})
    assert count == 1 and list(failures) == ["POST /api/v1/divide"]
