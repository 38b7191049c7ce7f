"""What the admin pages share: loading a form with an API schema, running a write
with its refusals by field, the status of a page, the choices of forms and the
filtered, newest-first lists."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import marshmallow as ma
import sqlalchemy as sa
from flask import request
from flask_babel import gettext as _

from crm_host.console.forms import field_errors
from crm_host.core.errors import CrmError, ValidationFailed
from crm_host.core.host import get_host
from crm_host.core.models import Department, Role
from crm_host.core.pagination import newest_first

T = TypeVar("T")
Errors = dict[str, list[str]]
#: Rows per page of the audit log and the job list.
PAGE_SIZE = 50


def _flatten(messages: Any, prefix: str = "") -> Errors:
    """marshmallow's nested messages as ``field.0.sub`` → messages (the API's keys)."""
    if isinstance(messages, dict):
        flat: Errors = {}
        for key, value in messages.items():
            flat.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return {prefix: list(messages)}
    return {prefix: [str(messages)]}


def load(schema: ma.Schema, data: dict[str, Any]) -> dict[str, Any]:
    """Load form ``data`` with an API schema; refusals become a :class:`ValidationFailed`
    so the console handles them like a service's."""
    try:
        return schema.load(data, unknown=ma.EXCLUDE)
    except ma.ValidationError as error:
        raise ValidationFailed("the form is not valid", details=_flatten(error.messages)) from None


def attempt(action: Callable[[], T]) -> tuple[T | None, Errors]:
    """Run a write and commit it; on a refusal roll back and return the messages by field
    (or the overall message under ``""`` when it names no field)."""
    session = get_host().session
    try:
        result = action()
        session.commit()
    except CrmError as error:
        session.rollback()
        # Field messages sit next to their inputs; the overall message only says what
        # no field does (a duplicate, a plugin that cannot be enabled).
        return None, field_errors(error.details) or {"": [error.message]}
    return result, {}


def posted(*names: str) -> dict[str, str]:
    """The posted text fields ``names``, stripped."""
    return {name: request.form.get(name, "").strip() for name in names}


def status_code(errors: Errors) -> int:
    """The answer's status: 422 when the form was refused, else 200."""
    return 422 if errors else 200


def all_departments() -> list[Department]:
    """Every department, by name."""
    return list(get_host().session.scalars(sa.select(Department).order_by(Department.name)))


def all_roles() -> list[Role]:
    """Every role, by name."""
    return list(get_host().session.scalars(sa.select(Role).order_by(Role.name)))


def membership_choices() -> dict[str, list[tuple[str, str]]]:
    """The department and role choices of a membership form."""
    return {
        "department_choices": [(d.code, d.name) for d in all_departments()],
        # The standard roles' labels are translated; a company's own read as written.
        "role_choices": [(r.name, _(r.label) if r.label else r.name) for r in all_roles()],
    }


def filtered_page(
    names: tuple[str, ...],
    schema: ma.Schema,
    query: Callable[[dict[str, Any]], sa.Select[Any]],
    model: Any,
) -> tuple[dict[str, str], dict[str, Any], Errors]:
    """The filters given in the query string, the page of ``model`` rows they select
    (through the API's query schema and query), and the messages of refused filters."""
    filters = {k: request.args.get(k, "").strip() for k in names}
    filters = {k: v for k, v in filters.items() if v}
    raw = {**filters, "limit": str(PAGE_SIZE)}
    if request.args.get("cursor"):
        raw["cursor"] = request.args["cursor"]
    try:
        args = load(schema, raw)
        result = newest_first(get_host().session, query(args), model, args)
    except CrmError as error:  # a filter too long, a cursor edited by hand
        return filters, {"items": [], "next_cursor": None}, field_errors(error.details)
    return filters, result, {}
