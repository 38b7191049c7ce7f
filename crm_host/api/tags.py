"""Tags in use, with how many customers carry each, under ``/api/v1/tags``."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
import sqlalchemy as sa
from flask.views import MethodView
from flask_smorest import Blueprint

from crm_host.core.host import get_host
from crm_host.core.models import Tag, customer_tags
from crm_host.security.permissions import require

blp = Blueprint("tags", __name__, description="Tags")


class TagOut(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    customers = ma.fields.Integer()


@blp.route("")
class Tags(MethodView):
    @require("host.customers.read")
    @blp.response(200, TagOut(many=True))
    def get(self) -> list[dict[str, Any]]:
        """Every tag, by name, with the number of customers carrying it."""
        rows = get_host().session.execute(
            sa.select(Tag.id, Tag.name, sa.func.count(customer_tags.c.customer_id))
            .outerjoin(customer_tags, customer_tags.c.tag_id == Tag.id)
            .group_by(Tag.id, Tag.name)
            .order_by(Tag.name)
        )
        return [{"id": i, "name": n, "customers": c} for i, n, c in rows]
