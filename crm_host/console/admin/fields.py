"""The admin page of custom fields: the fields a company adds to customers."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from crm_host.api.custom_fields import CustomFieldSchema
from crm_host.console._access import page
from crm_host.console.admin import bp
from crm_host.console.admin.common import Errors, attempt, load, posted, status_code
from crm_host.console.forms import split_list
from crm_host.core.host import get_host
from crm_host.core.models import FieldType
from crm_host.domain.customers import custom_fields
from crm_host.records import audit

#: How custom field types read in the console.
FIELD_TYPE_LABELS = {
    "text": _l("Text"),
    "number": _l("Number"),
    "date": _l("Date"),
    "boolean": _l("Yes or no"),
    "choice": _l("Choice"),
}


@bp.route("/custom-fields", methods=["GET", "POST"])
@page("host.custom_fields.manage")
def fields() -> tuple[str, int] | Response:
    """The custom fields of customers, and a form to add one."""
    session = get_host().session
    values: dict[str, Any] = {"type": "text", "position": "0"}
    errors: Errors = {}
    if request.method == "POST":
        values = posted("name", "type", "label", "label_zh", "choices", "position")
        values["required"] = "required" in request.form
        payload = {**values, "choices": split_list(values["choices"])}
        if not values["position"]:
            payload.pop("position")

        def create() -> Any:
            data = load(CustomFieldSchema(), payload)
            field = custom_fields.create_field(session, **data)
            audit.record(session, "create", "custom_field", field.id, after=data)
            return field

        field, errors = attempt(create)
        if field is not None:
            flash(_("Custom field %(name)s created.", name=field.name), "success")
            return redirect(url_for("admin.fields"))
    return render_template(
        "crm/admin/custom_fields.html",
        fields=list(custom_fields.definitions(session).values()),
        type_labels=FIELD_TYPE_LABELS,
        type_choices=[(t.value, FIELD_TYPE_LABELS.get(t.value, t.value)) for t in FieldType],
        values=values,
        errors=errors,
    ), status_code(errors)
