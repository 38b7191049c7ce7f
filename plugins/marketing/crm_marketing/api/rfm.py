"""RFM scores, the grid and their refresh."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask.views import MethodView

from crm_host.sdk import enqueue, require
from crm_host.sdk.web import fetch_page, integer_key, where_equal
from crm_marketing import permissions as p
from crm_marketing import rfm
from crm_marketing.api.blueprint import blp, current_session
from crm_marketing.models import RfmScore
from crm_marketing.schemas.common import JobOut
from crm_marketing.schemas.rfm import RefreshIn, RfmGridOut, RfmOut, RfmPage, RfmQuery


@blp.route("/rfm")
class RfmScores(MethodView):
    @require(p.RFM_READ)
    @blp.arguments(RfmQuery, location="query")
    @blp.response(200, RfmPage)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Stored scores, by customer id descending; filter by any of the three scores."""
        query = where_equal(sa.select(RfmScore), RfmScore, args, ("r_score", "f_score", "m_score"))
        return fetch_page(
            current_session(),
            query,
            keys=[integer_key(RfmScore.customer_id)],
            args=args,
            descending=True,
        )


@blp.route("/rfm/grid")
class RfmGrid(MethodView):
    @require(p.RFM_READ)
    @blp.response(200, RfmGridOut)
    def get(self) -> dict[str, Any]:
        """Customers per (recency, frequency) cell, all 25 cells."""
        session = current_session()
        counts = rfm.grid(session)
        cells = [
            {"r_score": r, "f_score": f, "customers": counts.get((r, f), 0)}
            for r in range(5, 0, -1)
            for f in range(1, 6)
        ]
        return {"cells": cells, "computed_at": rfm.last_refreshed(session)}


@blp.route("/rfm/customers/<id:customer_id>")
class RfmOfCustomer(MethodView):
    @require(p.RFM_READ)
    @blp.response(200, RfmOut)
    def get(self, customer_id: int) -> RfmScore:
        """One customer's scores (404 when they never bought)."""
        from crm_host.sdk import NotFound

        score = rfm.of_customer(current_session(), customer_id)
        if score is None:
            raise NotFound(f"customer {customer_id} has no RFM scores")
        return score


@blp.route("/rfm/refresh")
class RfmRefresh(MethodView):
    @require(p.RFM_WRITE)
    @blp.arguments(RefreshIn)
    @blp.response(202, JobOut)
    def post(self, data: dict[str, Any]) -> dict[str, int]:
        """Queue a recomputation of every score from the transactions."""
        session = current_session()
        job_id = enqueue(session, rfm.JOB, {"currency": data["currency"]})
        session.commit()
        return {"job_id": job_id}
