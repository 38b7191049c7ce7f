"""Custom field definitions under ``/api/v1/custom-fields``."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint

from crm_host.core.host import get_host
from crm_host.core.models import CustomField
from crm_host.domain.customers import custom_fields
from crm_host.records import audit
from crm_host.security.permissions import require

blp = Blueprint("custom_fields", __name__, description="Admin-defined customer fields")


class CustomFieldSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    name = ma.fields.String(required=True, metadata={"example": "industry"})
    type = ma.fields.String(
        required=True, metadata={"enum": ["text", "number", "date", "boolean", "choice"]}
    )
    label = ma.fields.String(required=True, metadata={"example": "Industry"})
    label_zh = ma.fields.String(load_default="", metadata={"example": "行业"})
    required = ma.fields.Boolean(load_default=False)
    choices = ma.fields.List(ma.fields.Raw(), load_default=list)
    position = ma.fields.Integer(load_default=0, validate=ma.validate.Range(min=0, max=10_000))


@blp.route("")
class CustomFields(MethodView):
    @require("host.customers.read")
    @blp.response(200, CustomFieldSchema(many=True))
    def get(self) -> list[CustomField]:
        """Every custom field, in display order."""
        return list(custom_fields.definitions(get_host().session).values())

    @require("host.custom_fields.manage")
    @blp.arguments(CustomFieldSchema)
    @blp.response(201, CustomFieldSchema)
    def post(self, data: dict[str, Any]) -> CustomField:
        """Define a custom field."""
        session = get_host().session
        field = custom_fields.create_field(session, **data)
        audit.record(session, "create", "custom_field", field.id, after=data)
        session.commit()
        return field
