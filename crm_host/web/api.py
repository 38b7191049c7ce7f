"""The REST API base: flask-smorest configured for crm-host, and JSON errors everywhere."""

from __future__ import annotations

from typing import Any

from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.ext.marshmallow.common import resolve_schema_cls
from flask import Flask, jsonify, render_template, request
from flask_smorest import Api as SmorestApi
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException

from crm_host import __version__, audit
from crm_host.errors import Conflict, CrmError, ValidationFailed
from crm_host.host import get_host

API_PREFIX = "/api/v1"


def is_api_request() -> bool:
    """Whether the current request is for the REST API (answered in JSON)."""
    return request.path == API_PREFIX or request.path.startswith(API_PREFIX + "/")


class Api(SmorestApi):
    """flask-smorest's Api with the host's error answers.

    flask-smorest answers every HTTP error in JSON and drops the ``Allow`` header of a
    405; console pages want HTML, and clients want ``Allow``.
    """

    def handle_http_exception(self, error: HTTPException) -> Any:
        if not is_api_request():
            return render_template(
                "crm/error.html", code=error.code, message=error.description
            ), error.code
        payload, code, headers = super().handle_http_exception(error)
        payload.setdefault("message", error.description)
        for name, value in error.get_headers():
            if name.lower() == "allow":
                headers = {**headers, "Allow": value}
        return payload, code, headers


def schema_name_resolver(prefixes: dict[str, str]) -> Any:
    """Name each schema in the OpenAPI document with its plugin's prefix (``SalesLead``)."""

    def resolve(schema: Any) -> str:
        cls = resolve_schema_cls(schema)
        name = cls.__name__.removesuffix("Schema") or cls.__name__
        package = cls.__module__.split(".", 1)[0]
        prefix = prefixes.get(package, "")
        # A partial instance (PATCH bodies) is a different schema in the document.
        suffix = "Patch" if getattr(schema, "partial", False) else ""
        return prefix + name + suffix

    return resolve


def create_api(app: Flask, prefixes: dict[str, str]) -> Api:
    """Build the application's Api; ``prefixes`` maps plugin packages to schema prefixes."""
    app.config.setdefault("API_TITLE", "crm-host")
    app.config.setdefault("API_VERSION", __version__)
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", API_PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    api = Api(
        spec_kwargs={
            "marshmallow_plugin": MarshmallowPlugin(
                schema_name_resolver=schema_name_resolver(prefixes)
            )
        }
    )
    api.init_app(app)
    _with_links(api)

    @app.errorhandler(CrmError)
    def _crm_error(error: CrmError) -> Any:
        if error.status == 403:
            audit.record_denied(get_host().session, error.message)
        if is_api_request():
            return jsonify(error.to_dict()), error.status
        return render_template("crm/error.html", code=error.status, message=error.message), (
            error.status
        )

    @app.errorhandler(sa_exc.IntegrityError)
    def _integrity_error(error: sa_exc.IntegrityError) -> Any:
        # A race lost to a concurrent write (two creates of one code): a conflict, not a bug.
        _rollback()
        return _crm_error(Conflict("the change conflicts with existing data; reload and retry"))

    @app.errorhandler(sa_exc.OperationalError)
    @app.errorhandler(sa_exc.InterfaceError)
    def _database_unavailable(error: Exception) -> Any:
        # The connection dropped or the database is out of reach: a 503 the client
        # may retry; the pool checks connections before use, so the next request
        # gets a fresh one without restarting the process.
        _rollback()
        message = "The database is unavailable right now; retry in a moment."
        if is_api_request():
            return jsonify(code=503, message=message), 503, {"Retry-After": "5"}
        return render_template("crm/error.html", code=503, message=message), 503

    @app.errorhandler(sa_exc.DataError)
    @app.errorhandler(OverflowError)
    def _data_error(error: Exception) -> Any:
        _rollback()
        return _crm_error(ValidationFailed("a value is out of range for its field"))

    return api


def _with_links(api: Api) -> None:
    """Serve the document with the links derived from the routes (``openapi_links``)."""
    from crm_host.web.openapi_links import add_links

    plain = api.spec.to_dict
    api.spec.to_dict = lambda: add_links(plain())  # type: ignore[method-assign]


def _rollback() -> None:
    from flask import g

    session = g.get("crm_session")
    if session is not None:
        try:
            session.rollback()
        except sa_exc.SQLAlchemyError:
            session.invalidate()  # the connection is gone: drop it, never reuse it
