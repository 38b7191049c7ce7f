"""Lifetime values, the customer pyramid, the loyalty–value matrix and win-back
segments."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask.views import MethodView

from crm_host.sdk import enqueue, require
from crm_host.sdk.web import fetch_page, integer_key, where_equal
from crm_marketing import lifetime_value, rfm, winback
from crm_marketing import permissions as p
from crm_marketing.api.blueprint import blp, current_actor, current_session
from crm_marketing.models import CustomerValue, Segment
from crm_marketing.schemas.common import JobOut
from crm_marketing.schemas.segments import SegmentOut
from crm_marketing.schemas.value import (
    CustomerValueOut,
    CustomerValuePage,
    CustomerValueQuery,
    LoyaltyValueOut,
    PyramidOut,
    ValueRefreshIn,
    ValueSummaryOut,
    WinBackIn,
)


@blp.route("/value")
class ValueSummary(MethodView):
    @require(p.RFM_READ)
    @blp.response(200, ValueSummaryOut)
    def get(self) -> dict[str, Any]:
        """The newest fit of the lifetime-value models and customers per churn risk."""
        session = current_session()
        return {
            "model": lifetime_value.current_model(session),
            "churn_risk": lifetime_value.churn_counts(session),
        }


@blp.route("/value/customers")
class CustomerValues(MethodView):
    @require(p.RFM_READ)
    @blp.arguments(CustomerValueQuery, location="query")
    @blp.response(200, CustomerValuePage)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Stored values, by customer id descending; filter by churn risk."""
        query = where_equal(sa.select(CustomerValue), CustomerValue, args, ("churn_risk",))
        return fetch_page(
            current_session(),
            query,
            keys=[integer_key(CustomerValue.customer_id)],
            args=args,
            descending=True,
        )


@blp.route("/value/customers/<id:customer_id>")
class ValueOfCustomer(MethodView):
    @require(p.RFM_READ)
    @blp.response(200, CustomerValueOut)
    def get(self, customer_id: int) -> CustomerValue:
        """One customer's P(alive), expected purchases and value (404 when they never bought)."""
        from crm_host.sdk import NotFound

        value = lifetime_value.of_customer(current_session(), customer_id)
        if value is None:
            raise NotFound(f"customer {customer_id} has no lifetime value")
        return value


@blp.route("/value/refresh")
class ValueRefresh(MethodView):
    @require(p.RFM_WRITE)
    @blp.arguments(ValueRefreshIn)
    @blp.response(202, JobOut)
    def post(self, data: dict[str, Any]) -> dict[str, int]:
        """Queue a refit of the lifetime-value models and every customer's value."""
        session = current_session()
        args: dict[str, Any] = {"currency": data["currency"]}
        if data.get("horizon_days"):
            args["horizon_days"] = data["horizon_days"]
        if data.get("discount_rate") is not None:
            args["discount_rate"] = data["discount_rate"]
        job_id = enqueue(session, lifetime_value.JOB, args)
        session.commit()
        return {"job_id": job_id}


@blp.route("/rfm/pyramid")
class Pyramid(MethodView):
    @require(p.RFM_READ)
    @blp.response(200, PyramidOut)
    def get(self) -> dict[str, Any]:
        """Customers and spend per tier of the customer pyramid, best tier first."""
        session = current_session()
        return {"tiers": rfm.pyramid(session), "computed_at": rfm.last_refreshed(session)}


@blp.route("/rfm/loyalty-value")
class LoyaltyValue(MethodView):
    @require(p.RFM_READ)
    @blp.response(200, LoyaltyValueOut)
    def get(self) -> dict[str, Any]:
        """Customers per quadrant of the loyalty–value matrix."""
        session = current_session()
        return {"quadrants": rfm.loyalty_value(session), "computed_at": rfm.last_refreshed(session)}


@blp.route("/value/win-back")
class WinBack(MethodView):
    @require(p.SEGMENTS_WRITE)
    @blp.arguments(WinBackIn)
    @blp.response(201, SegmentOut)
    def post(self, data: dict[str, Any]) -> Segment:
        """Create a segment of at-risk and lapsed customers (by stored churn risk)."""
        session = current_session()
        segment = winback.create_winback_segment(
            session, data["risks"], data.get("name"), actor=current_actor()
        )
        session.commit()
        return segment
