"""What the knowledge-base endpoints read and answer."""

from __future__ import annotations

import marshmallow as ma

from crm_service.schemas.common import V


class ArticleQuery(ma.Schema):
    q = ma.fields.String(load_default="", validate=V.Length(max=300))
    category = ma.fields.String(load_default=None, validate=V.Length(max=100))
    drafts = ma.fields.Boolean(
        load_default=False, metadata={"description": "Unpublished articles too"}
    )
    limit = ma.fields.Integer(load_default=20, validate=V.Range(min=1, max=100))


class ArticleIn(ma.Schema):
    title = ma.fields.String(required=True, validate=V.Length(min=1, max=200))
    body = ma.fields.String(required=True, validate=V.Length(min=1, max=200_000))
    category = ma.fields.String(allow_none=True, validate=V.Length(max=100))
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
