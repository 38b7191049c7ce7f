"""Ticket types (``/api/v1/service/ticket-types``): everyone reads, administrators
add and change."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask.views import MethodView

from crm_host.sdk import NotFound, require
from crm_service import types
from crm_service.api.blueprint import db_session, types_blp
from crm_service.models import TicketType
from crm_service.permissions import MANAGE, READ
from crm_service.schemas import TicketTypeIn, TicketTypeOut


@types_blp.route("")
class TicketTypes(MethodView):
    @require(READ)
    @types_blp.response(200, TicketTypeOut(many=True))
    def get(self) -> list[Any]:
        """Every ticket type, by code."""
        session = db_session()
        types.ensure_defaults(session)
        rows = list(session.scalars(sa.select(TicketType).order_by(TicketType.code)))
        session.commit()
        return rows

    @require(MANAGE)
    @types_blp.arguments(TicketTypeIn)
    @types_blp.response(201, TicketTypeOut)
    def post(self, data: dict[str, Any]) -> Any:
        """Add a ticket type."""
        session = db_session()
        row = types.save_type(session, data)
        session.commit()
        return row


@types_blp.route("/<id:type_id>")
class TicketTypeResource(MethodView):
    @require(MANAGE)
    @types_blp.arguments(TicketTypeIn(partial=True))
    @types_blp.response(200, TicketTypeOut)
    def patch(self, data: dict[str, Any], type_id: int) -> Any:
        """Rename a ticket type or switch it off (its tickets keep it)."""
        session = db_session()
        row = session.get(TicketType, type_id)
        if row is None:
            raise NotFound(f"no ticket type with id {type_id}")
        types.save_type(session, data, row)
        session.commit()
        return row
