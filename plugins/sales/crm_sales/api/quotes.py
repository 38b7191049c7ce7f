"""``/quotes``: make quotes and move them along draft → sent → accepted | rejected | expired."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask.views import MethodView
from sqlalchemy.orm import selectinload

from crm_host.sdk import require
from crm_host.sdk.web import (
    check_if_match,
    documents_etag,
    documents_if_match,
    newest_first,
    send_etag,
    where_equal,
)
from crm_sales import permissions as p
from crm_sales import quotes
from crm_sales import schemas as s
from crm_sales.api.common import blp, current_actor, current_session
from crm_sales.models import Quote, QuoteStatus


@blp.route("/quotes")
class Quotes(MethodView):
    @require(p.QUOTES_READ)
    @blp.arguments(s.QuoteQuery, location="query")
    @blp.response(200, s.QuotePage)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List quotes, newest first; filter by customer or status."""
        query = sa.select(Quote).options(selectinload(Quote.lines))
        query = where_equal(query, Quote, args, ("customer_id",))
        if args.get("status"):
            query = query.where(Quote.status == QuoteStatus(args["status"]))
        return newest_first(current_session(), query, Quote, args)

    @require(p.QUOTES_WRITE)
    @blp.arguments(s.QuoteIn)
    @blp.response(201, s.QuoteOut)
    def post(self, data: dict[str, Any]) -> Quote:
        """Make a draft quote priced from the chosen price list (or the default one)."""
        session = current_session()
        quote = quotes.create_quote(session, data, actor=current_actor())
        session.commit()
        return quote


@blp.route("/quotes/<id:quote_id>")
class QuoteResource(MethodView):
    @require(p.QUOTES_READ)
    @blp.response(200, s.QuoteOut)
    @documents_etag(blp)
    def get(self, quote_id: int) -> Quote:
        """One quote with its lines and totals; ``ETag`` names its version."""
        return send_etag(quotes.get_quote(current_session(), quote_id))


@blp.route("/quotes/<id:quote_id>/status")
class QuoteStatusChange(MethodView):
    @require(p.QUOTES_WRITE)
    @blp.arguments(s.QuoteStatusIn)
    @blp.response(200, s.QuoteOut)
    @documents_if_match(blp)
    def post(self, data: dict[str, Any], quote_id: int) -> Quote:
        """Send, accept, reject or expire a quote; accepting records its order."""
        session = current_session()
        quote = quotes.get_quote(session, quote_id)
        check_if_match(quote)
        quotes.set_status(session, quote, data["status"], actor=current_actor())
        session.commit()
        return send_etag(quote)
