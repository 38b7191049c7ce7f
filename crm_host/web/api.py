"""The REST API base: flask-smorest configured for crm-host, and JSON errors everywhere."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.ext.marshmallow.common import resolve_schema_cls
from flask import Flask, jsonify, render_template, request
from flask_smorest import Api as SmorestApi
from flask_smorest import Blueprint
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import exc as orm_exc
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from crm_host import __version__
from crm_host.core.errors import (
    Conflict,
    CrmError,
    NotVisible,
    PreconditionFailed,
    ValidationFailed,
)
from crm_host.core.host import get_host
from crm_host.core.requests import API_PREFIX, is_api_request
from crm_host.records import audit
from crm_host.web import _limits as limits


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
        unknown = unknown_query_parameters(error)
        if unknown:
            # Not a value out of range but a parameter the endpoint does not have (a
            # misspelt filter would otherwise silently list everything): a bad request.
            code = payload["code"] = 400
            payload["status"] = "Bad Request"
            payload["message"] = "unknown query parameter(s): " + ", ".join(unknown)
        for name, value in error.get_headers():
            if name.lower() == "allow":
                headers = {**headers, "Allow": value}
        return payload, code, headers


def unknown_query_parameters(error: HTTPException) -> list[str]:
    """The query parameters an argument parser refused as unknown, sorted."""
    data = getattr(error, "data", None) or {}
    messages = data.get("messages") if isinstance(data, dict) else None
    query = messages.get("query") if isinstance(messages, dict) else None
    if not isinstance(query, dict):
        return []
    unknown_message = ma.Schema._default_error_messages["unknown"]
    return sorted(
        name
        for name, problems in query.items()
        if isinstance(problems, list) and unknown_message in problems
    )


def strict_query_arguments() -> None:
    """Make every API endpoint refuse query parameters its arguments schema lacks.

    webargs excludes unknown query parameters by default, so ``?stauts=failed``
    answered the unfiltered list. All API blueprints, the plugins' included, share
    flask-smorest's one parser; its per-location default is changed here, once.
    """
    parser = Blueprint.ARGUMENTS_PARSER
    parser.DEFAULT_UNKNOWN_BY_LOCATION = {
        **type(parser).DEFAULT_UNKNOWN_BY_LOCATION,
        "query": ma.RAISE,
        "querystring": ma.RAISE,
    }


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
    strict_query_arguments()
    _with_links(api)

    @app.errorhandler(CrmError)
    def _crm_error(error: CrmError) -> Any:
        if error.status == 403:
            audit.record_denied(get_host().session, error.message)
        elif isinstance(error, NotVisible):
            # Answered as a missing object, but refused all the same: on the record.
            audit.record_denied(get_host().session, error.reason, plugin=error.plugin)
        if is_api_request():
            return jsonify(error.to_dict()), error.status
        return render_template("crm/error.html", code=error.status, message=error.message), (
            error.status
        )

    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(error: RequestEntityTooLarge) -> Any:
        message, limit = limits.too_large(app, request)
        # No ``Connection: close`` here: a hop-by-hop header is the server's alone
        # (PEP 3333; waitress answers 500 to an app that sends one). The server closes
        # a connection whose body was left unread.
        if is_api_request():
            return jsonify(code=413, message=message, limit=limit), 413
        return render_template("crm/error.html", code=413, message=message), 413

    @app.errorhandler(sa_exc.IntegrityError)
    def _integrity_error(error: sa_exc.IntegrityError) -> Any:
        # A race lost to a concurrent write (two creates of one code): a conflict, not a bug.
        _rollback()
        return _crm_error(Conflict("the change conflicts with existing data; reload and retry"))

    @app.errorhandler(orm_exc.StaleDataError)
    def _stale_write(error: orm_exc.StaleDataError) -> Any:
        # The version checked on load changed before this write's UPDATE ran: another
        # writer won the race. With If-Match the precondition failed; without, a conflict.
        _rollback()
        message = "the record was changed by someone else meanwhile; reload and retry"
        if "If-Match" in request.headers:
            return _crm_error(PreconditionFailed(message))
        return _crm_error(Conflict(message))

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
