"""Caller lookup by phone number (``/api/v1/service/lookup``)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from crm_host.sdk import require
from crm_service import lookup
from crm_service.api.blueprint import db_session, lookup_blp
from crm_service.permissions import LOOKUP
from crm_service.schemas import LookupOut, LookupQuery


@lookup_blp.route("")
class Lookup(MethodView):
    @require(LOOKUP)
    @lookup_blp.arguments(LookupQuery, location="query")
    @lookup_blp.response(200, LookupOut(many=True))
    def get(self, args: dict[str, Any]) -> list[dict[str, Any]]:
        """Customers with this phone number (theirs or a contact's), for a ringing phone.

        Each lookup is audited; numbers are masked without ``host.customers.reveal``.
        """
        session = db_session()
        rows = lookup.by_phone(session, args["phone"])
        session.commit()
        return rows
