"""Console pages of segments: the list and the builder with its live count (htmx)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from crm_host.sdk import CrmError
from crm_host.sdk.web import page
from crm_marketing import segments
from crm_marketing.forms import ROWS, rows_of, rules_from_form
from crm_marketing.i18n import translate as _
from crm_marketing.models import Segment
from crm_marketing.permissions import SEGMENTS_READ, SEGMENTS_WRITE
from crm_marketing.registry import criteria_of
from crm_marketing.rules import compile_rules
from crm_marketing.views.blueprint import bp, current_session


@bp.route("/", endpoint="segments")
@page(SEGMENTS_READ)
def segments_page() -> str:
    """Every segment with its current size."""
    session = current_session()
    rows = []
    for segment in session.scalars(sa.select(Segment).order_by(Segment.name)):
        try:
            size: int | None = segments.count(session, segments.condition_for(session, segment))
        except CrmError:
            size = None
        rows.append((segment, size))
    return render_template("marketing/segments.html", rows=rows)


def _builder(segment: Segment | None, form: dict[str, str] | None, errors: dict[str, Any]) -> str:
    session = current_session()
    if form is not None:
        match = form.get("match", "all")
        row_values = [
            {
                "field": form.get(f"field-{n}", ""),
                "op": form.get(f"op-{n}", ""),
                "value": form.get(f"value-{n}", ""),
            }
            for n in range(ROWS)
        ]
        rules_json = form.get("rules_json", "")
    else:
        match, row_values, rules_json = rows_of(segment.rules if segment else None)
    row_values = (row_values + [{"field": "", "op": "", "value": ""}] * ROWS)[:ROWS]
    criteria = sorted(criteria_of(session).values(), key=lambda c: str(c.label))
    return render_template(
        "marketing/segment_builder.html",
        segment=segment,
        form=form or {},
        match=match,
        rows=row_values,
        rules_json=rules_json,
        criteria=criteria,
        errors=errors,
    )


@bp.route("/segments/new", methods=["GET", "POST"])
@page(SEGMENTS_WRITE)
def segment_new() -> str | BaseResponse:
    """The builder for a new rule segment."""
    return _save(None)


@bp.route("/segments/<int:segment_id>")
@page(SEGMENTS_READ)
def segment_edit(segment_id: int) -> str:
    """The builder showing a segment."""
    return _builder(segments.get_segment(current_session(), segment_id), None, {})


# The builder posts to its own address; saving is a page of its own, gated by the
# write permission as every console page is.
@bp.route("/segments/<int:segment_id>", methods=["POST"], endpoint="segment_save")
@page(SEGMENTS_WRITE)
def segment_save(segment_id: int) -> str | BaseResponse:
    """Save the segment the builder shows."""
    return _save(segments.get_segment(current_session(), segment_id))


def _save(segment: Segment | None) -> str | BaseResponse:
    if request.method != "POST":
        return _builder(segment, None, {})
    session = current_session()
    form = request.form.to_dict()
    try:
        data: dict[str, Any] = {
            "name": form.get("name", "").strip(),
            "description": form.get("description", ""),
        }
        if segment is None or segment.kind == "rules":
            data["rules"] = rules_from_form(form, criteria_of(session))
        if segment is None:
            segment = segments.create_segment(session, data, actor=current_user.user)
        else:
            segments.update_segment(session, segment, data, actor=current_user.user)
        session.commit()
    except CrmError as error:
        session.rollback()
        return _builder(
            segment if segment and segment.id else None,
            form,
            error.details or {"": [error.message]},
        ), 422
    flash(_("Segment saved."))
    return redirect(url_for(".segment_edit", segment_id=segment.id))


@bp.route("/segments/count")
@page(SEGMENTS_READ)
def segment_count() -> str:
    """The builder's live count: a fragment with the audience size or what is wrong."""
    session = current_session()
    try:
        condition = compile_rules(session, rules_from_form(request.args, criteria_of(session)))
        found = segments.preview(session, condition)
        return render_template(
            "marketing/_count.html", count=found["count"], sample=found["sample"], errors={}
        )
    except CrmError as error:
        return render_template("marketing/_count.html", count=None, sample=[], errors=error.details)
