"""``/leads``: capture, change, qualify and convert leads, and find their duplicates."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask.views import MethodView

from crm_host.sdk import may_reveal, require
from crm_host.sdk.web import (
    check_if_match,
    documents_etag,
    documents_if_match,
    newest_first,
    send_etag,
    where_equal,
)
from crm_sales import leads
from crm_sales import permissions as p
from crm_sales import schemas as s
from crm_sales.api.common import blp, check_record, current_actor, current_session, visible
from crm_sales.models import Lead


@blp.route("/leads")
class Leads(MethodView):
    @require(p.LEADS_READ)
    @blp.arguments(s.LeadQuery, location="query")
    @blp.response(200, s.LeadPage)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List leads, newest first; filter by status, owner or source."""
        query = sa.select(Lead).where(visible(Lead, p.LEADS_READ))
        query = where_equal(query, Lead, args, ("status", "owner_id", "source"))
        return newest_first(current_session(), query, Lead, args)

    @require(p.LEADS_WRITE)
    @blp.arguments(s.LeadIn)
    @blp.response(201, s.LeadOut)
    def post(self, data: dict[str, Any]) -> Lead:
        """Capture a lead: it is scored, and assigned in turn when it has no owner."""
        session = current_session()
        lead = leads.create_lead(session, data, actor=current_actor())
        session.commit()
        return lead


@blp.route("/leads/<id:lead_id>")
class LeadResource(MethodView):
    @require(p.LEADS_READ, record=True)
    @blp.response(200, s.LeadOut)
    @documents_etag(blp)
    def get(self, lead_id: int) -> Lead:
        """One lead."""
        lead = leads.get_lead(current_session(), lead_id)
        check_record(lead, p.LEADS_READ)
        return send_etag(lead)

    @require(p.LEADS_WRITE, record=True)
    @blp.arguments(s.LeadIn(partial=True))
    @blp.response(200, s.LeadOut)
    @documents_if_match(blp)
    def patch(self, data: dict[str, Any], lead_id: int) -> Lead:
        """Change a lead's fields; the score is recomputed."""
        session = current_session()
        lead = leads.get_lead(session, lead_id)
        check_record(lead, p.LEADS_WRITE)
        check_if_match(lead)
        leads.update_lead(session, lead, data, actor=current_actor())
        session.commit()
        return send_etag(lead)


@blp.route("/leads/<id:lead_id>/status")
class LeadStatusChange(MethodView):
    @require(p.LEADS_WRITE, record=True)
    @blp.arguments(s.LeadStatusIn)
    @blp.response(200, s.LeadOut)
    @documents_if_match(blp)
    def post(self, data: dict[str, Any], lead_id: int) -> Lead:
        """Move a lead along new → contacted → qualified, or disqualify it with a reason."""
        session = current_session()
        lead = leads.get_lead(session, lead_id)
        check_record(lead, p.LEADS_WRITE)
        check_if_match(lead)
        leads.set_status(
            session, lead, data["status"], reason=data.get("reason"), actor=current_actor()
        )
        session.commit()
        return send_etag(lead)


@blp.route("/leads/<id:lead_id>/duplicates")
class LeadDuplicates(MethodView):
    @require(p.LEADS_READ, record=True)
    @blp.response(200, s.CustomerRef(many=True))
    def get(self, lead_id: int) -> list[Any]:
        """Customers sharing the lead's email or phone, to convert into instead."""
        session = current_session()
        lead = leads.get_lead(session, lead_id)
        check_record(lead, p.LEADS_READ)
        # Matching by phone would be a phone-number oracle for users without reveal.
        return leads.duplicates(session, lead, by_phone=may_reveal())


@blp.route("/leads/<id:lead_id>/convert")
class LeadConversion(MethodView):
    @require(p.LEADS_WRITE, record=True)
    @blp.arguments(s.ConvertIn)
    @blp.response(201, s.ConversionOut)
    @documents_if_match(blp, None)
    def post(self, data: dict[str, Any], lead_id: int) -> dict[str, Any]:
        """Convert a qualified lead into a customer and an opportunity, in one transaction."""
        session = current_session()
        lead = leads.get_lead(session, lead_id)
        check_record(lead, p.LEADS_WRITE)
        check_if_match(lead)
        customer, opportunity = leads.convert(session, lead, data, actor=current_actor())
        session.commit()
        return {"lead": lead, "customer": customer, "opportunity": opportunity}
