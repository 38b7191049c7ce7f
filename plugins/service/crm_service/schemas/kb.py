"""What the knowledge-base endpoints read and answer."""

from __future__ import annotations

import marshmallow as ma

from crm_host.sdk import validation as check
from crm_service.schemas.common import V


class ArticleQuery(ma.Schema):
    q = check.Text(300, load_default="", allow_none=False)
    category = check.Text(100, load_default=None)
    drafts = ma.fields.Boolean(
        load_default=False, metadata={"description": "Unpublished articles too"}
    )
    limit = ma.fields.Integer(load_default=20, validate=V.Range(min=1, max=100))


class ArticleIn(ma.Schema):
    title = check.Text(200, required=True, allow_blank=False, allow_none=False)
    body = check.Text(200_000, multiline=True, required=True, allow_blank=False, allow_none=False)
    category = check.Text(100)
    published = ma.fields.Boolean()


class ArticleOut(ma.Schema):
    id = ma.fields.Integer()
    title = ma.fields.String()
    body = ma.fields.String()
    category = ma.fields.String(allow_none=True)
    published = ma.fields.Boolean()
    created_by_id = ma.fields.Integer(allow_none=True)
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()
