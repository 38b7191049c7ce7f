"""Segments: rule segments and static lists, their criteria, previews and members."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask.views import MethodView

from crm_host.sdk import require
from crm_host.sdk.web import PageArgs, newest_first
from crm_marketing import permissions as p
from crm_marketing import segments
from crm_marketing.api.blueprint import blp, current_actor, current_session
from crm_marketing.models import Segment
from crm_marketing.registry import criteria_of
from crm_marketing.rules import compile_rules
from crm_marketing.schemas.segments import (
    CriterionOut,
    MembersChangedOut,
    MembersIn,
    PreviewOut,
    RulesIn,
    SegmentIn,
    SegmentOut,
    SegmentPage,
    SegmentPatch,
)


@blp.route("/segments")
class Segments(MethodView):
    @require(p.SEGMENTS_READ)
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, SegmentPage)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List segments, newest first."""
        return newest_first(current_session(), sa.select(Segment), Segment, args)

    @require(p.SEGMENTS_WRITE)
    @blp.arguments(SegmentIn)
    @blp.response(201, SegmentOut)
    def post(self, data: dict[str, Any]) -> Segment:
        """Create a rule segment (rules checked node by node) or a static list."""
        session = current_session()
        segment = segments.create_segment(session, data, actor=current_actor())
        session.commit()
        return segment


@blp.route("/segments/criteria")
class Criteria(MethodView):
    @require(p.SEGMENTS_READ)
    @blp.response(200, CriterionOut(many=True))
    def get(self) -> list[Any]:
        """The fields rules may test, with their operators, from every installed plugin."""
        return sorted(criteria_of(current_session()).values(), key=lambda c: c.name)


@blp.route("/segments/preview")
class RulesPreview(MethodView):
    @require(p.SEGMENTS_READ)
    @blp.arguments(RulesIn)
    @blp.response(200, PreviewOut)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Count and sample of unsaved rules (the builder's live count)."""
        session = current_session()
        return segments.preview(session, compile_rules(session, data["rules"]))


@blp.route("/segments/<id:segment_id>")
class SegmentResource(MethodView):
    @require(p.SEGMENTS_READ)
    @blp.response(200, SegmentOut)
    def get(self, segment_id: int) -> Segment:
        """One segment."""
        return segments.get_segment(current_session(), segment_id)

    @require(p.SEGMENTS_WRITE)
    @blp.arguments(SegmentPatch)
    @blp.response(200, SegmentOut)
    def patch(self, data: dict[str, Any], segment_id: int) -> Segment:
        """Rename a segment or change its rules."""
        session = current_session()
        segment = segments.update_segment(
            session, segments.get_segment(session, segment_id), data, actor=current_actor()
        )
        session.commit()
        return segment

    @require(p.SEGMENTS_WRITE)
    @blp.response(204)
    def delete(self, segment_id: int) -> None:
        """Delete a segment no campaign uses."""
        session = current_session()
        segments.delete_segment(
            session, segments.get_segment(session, segment_id), actor=current_actor()
        )
        session.commit()


@blp.route("/segments/<id:segment_id>/preview")
class SegmentPreview(MethodView):
    @require(p.SEGMENTS_READ)
    @blp.response(200, PreviewOut)
    def get(self, segment_id: int) -> dict[str, Any]:
        """How many customers the segment holds now, and the first of them."""
        session = current_session()
        segment = segments.get_segment(session, segment_id)
        return segments.preview(session, segments.condition_for(session, segment))


@blp.route("/segments/<id:segment_id>/members")
class SegmentMembers(MethodView):
    @require(p.SEGMENTS_WRITE)
    @blp.arguments(MembersIn)
    @blp.response(200, MembersChangedOut)
    def post(self, data: dict[str, Any], segment_id: int) -> dict[str, int]:
        """Put customers on a static list."""
        session = current_session()
        segment = segments.get_segment(session, segment_id)
        added = segments.add_members(session, segment, data["customer_ids"], actor=current_actor())
        session.commit()
        return {"changed": added}

    @require(p.SEGMENTS_WRITE)
    @blp.arguments(MembersIn)
    @blp.response(200, MembersChangedOut)
    def delete(self, data: dict[str, Any], segment_id: int) -> dict[str, int]:
        """Take customers off a static list."""
        session = current_session()
        segment = segments.get_segment(session, segment_id)
        removed = segments.remove_members(
            session, segment, data["customer_ids"], actor=current_actor()
        )
        session.commit()
        return {"changed": removed}
