"""Global search under ``/api/v1/search``: every registered type the caller may read."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from crm_host.core.host import get_host
from crm_host.core.objects import search
from crm_host.security.permissions import signed_in

blp = Blueprint("search", __name__, description="Global search")


class SearchQuery(ma.Schema):
    q = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=search.MAX_QUERY))
    per_type = ma.fields.Integer(
        load_default=search.PER_TYPE,
        validate=ma.validate.Range(min=0, max=search.MAX_PER_TYPE),
    )
    #: Only these types (``type=service.ticket&type=customer``); all readable ones without.
    type = ma.fields.List(ma.fields.String(validate=ma.validate.Length(max=100)))


class HitOut(ma.Schema):
    type = ma.fields.String()
    id = ma.fields.String()
    label = ma.fields.String()
    console_url = ma.fields.String(allow_none=True)
    api_url = ma.fields.String(allow_none=True)


class TypeResultsOut(ma.Schema):
    type = ma.fields.String()
    type_label = ma.fields.String()
    total = ma.fields.Integer()
    hits = ma.fields.List(ma.fields.Nested(HitOut))


class SearchOut(ma.Schema):
    q = ma.fields.String()
    total = ma.fields.Integer()
    results = ma.fields.List(ma.fields.Nested(TypeResultsOut))


@blp.route("")
class Search(MethodView):
    @signed_in
    @blp.arguments(SearchQuery, location="query")
    @blp.response(200, SearchOut)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Objects of every type you may read whose searchable fields contain ``q``.

        Per type: how many you may read match (``total``) and the first ``per_type``
        by label, each with its console and API link. Types you may not read are not
        searched, so they add neither results nor counts.
        """
        results = search.search(
            get_host().session,
            current_user.user,
            args["q"],
            per_type=args["per_type"],
            types=args.get("type") or None,
        )
        return {
            "q": args["q"].strip(),
            "total": sum(r.total for r in results),
            "results": results,
        }
