"""What the survey results read and answer."""

from __future__ import annotations

import marshmallow as ma

from crm_service.schemas.common import V


class SurveyResultsQuery(ma.Schema):
    by = ma.fields.String(load_default="agent", validate=V.OneOf(("agent", "queue", "category")))


class SurveyResultOut(ma.Schema):
    key = ma.fields.String(
        allow_none=True, metadata={"description": "user id, department id or category"}
    )
    label = ma.fields.String(allow_none=True)
    answers = ma.fields.Integer()
    csat = ma.fields.Float(metadata={"description": "mean CSAT, 1–5"})
    satisfied_percent = ma.fields.Float(metadata={"description": "answers with CSAT 4 or 5"})
    nps_answers = ma.fields.Integer()
    nps = ma.fields.Integer(
        allow_none=True, metadata={"description": "promoters minus detractors, in %"}
    )
