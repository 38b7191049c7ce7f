"""Journeys: definitions, status, entries, the events that start them and a run now."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask.views import MethodView

from crm_host.sdk import enqueue, require
from crm_host.sdk.web import PageArgs, newest_first, where_equal
from crm_marketing import journeys, triggers
from crm_marketing import permissions as p
from crm_marketing.api.blueprint import blp, current_actor, current_session
from crm_marketing.models import Journey, JourneyEntry
from crm_marketing.schemas.common import JobOut
from crm_marketing.schemas.journeys import (
    JourneyEntryPage,
    JourneyEntryQuery,
    JourneyEventOut,
    JourneyIn,
    JourneyOut,
    JourneyPage,
    JourneyStatusIn,
)


@blp.route("/journeys")
class Journeys(MethodView):
    @require(p.CAMPAIGNS_READ)
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, JourneyPage)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List journeys, newest first."""
        return newest_first(current_session(), sa.select(Journey), Journey, args)

    @require(p.CAMPAIGNS_WRITE)
    @blp.arguments(JourneyIn)
    @blp.response(201, JourneyOut)
    def post(self, data: dict[str, Any]) -> Journey:
        """Create a journey: a trigger (segment or event) and its steps, checked one by one."""
        session = current_session()
        journey = journeys.create_journey(session, data, actor=current_actor())
        session.commit()
        return journey


@blp.route("/journeys/events")
class JourneyEvents(MethodView):
    @require(p.CAMPAIGNS_READ)
    @blp.response(200, JourneyEventOut(many=True))
    def get(self) -> list[dict[str, Any]]:
        """The events a journey may start from here (host events and those of installed
        plugins), with the value each lets a journey choose on."""
        return [trigger.as_dict() for trigger in triggers.available(current_session())]


@blp.route("/journeys/<id:journey_id>")
class JourneyResource(MethodView):
    @require(p.CAMPAIGNS_READ)
    @blp.response(200, JourneyOut)
    def get(self, journey_id: int) -> Journey:
        """One journey."""
        return journeys.get_journey(current_session(), journey_id)

    @require(p.CAMPAIGNS_WRITE)
    @blp.arguments(JourneyStatusIn)
    @blp.response(200, JourneyOut)
    def patch(self, data: dict[str, Any], journey_id: int) -> Journey:
        """Activate, pause or return a journey to draft."""
        session = current_session()
        journey = journeys.set_status(
            session,
            journeys.get_journey(session, journey_id),
            data["status"],
            actor=current_actor(),
        )
        session.commit()
        return journey


@blp.route("/journeys/<id:journey_id>/entries")
class JourneyEntries(MethodView):
    @require(p.CAMPAIGNS_READ)
    @blp.arguments(JourneyEntryQuery, location="query")
    @blp.response(200, JourneyEntryPage)
    def get(self, args: dict[str, Any], journey_id: int) -> dict[str, Any]:
        """Each customer's place in the journey, newest first; filter by status."""
        session = current_session()
        journeys.get_journey(session, journey_id)
        query = where_equal(
            sa.select(JourneyEntry).where(JourneyEntry.journey_id == journey_id),
            JourneyEntry,
            args,
            ("status",),
        )
        return newest_first(session, query, JourneyEntry, args)


@blp.route("/journeys/advance")
class JourneysAdvance(MethodView):
    @require(p.CAMPAIGNS_WRITE)
    @blp.response(202, JobOut)
    def post(self) -> dict[str, int]:
        """Queue a run of every active journey now (the schedule runs it every 15 minutes)."""
        session = current_session()
        job_id = enqueue(session, journeys.JOB, {})
        session.commit()
        return {"job_id": job_id}
