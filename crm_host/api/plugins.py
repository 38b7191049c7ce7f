"""Plugins present, installed and enabled (read-only here; changes go through `crm plugins`)."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
import sqlalchemy as sa
from flask.views import MethodView
from flask_login import login_required
from flask_smorest import Blueprint

from crm_host.host import get_host
from crm_host.models import Department, PluginEnablement

blp = Blueprint("plugins", __name__, description="Plugins and where they are enabled")


class PluginSchema(ma.Schema):
    name = ma.fields.String()
    slug = ma.fields.String()
    label = ma.fields.String()
    version = ma.fields.String()
    requires = ma.fields.List(ma.fields.String())
    uses = ma.fields.List(ma.fields.String())
    installed = ma.fields.Boolean()
    loaded = ma.fields.Boolean()
    enabled_for = ma.fields.List(ma.fields.String())


@blp.route("")
class Plugins(MethodView):
    @login_required
    @blp.response(200, PluginSchema(many=True))
    def get(self) -> list[dict[str, Any]]:
        """Every plugin present, with whether it is installed and where it is enabled."""
        host = get_host()
        enabled: dict[str, list[str]] = {}
        rows = host.session.execute(
            sa.select(PluginEnablement.plugin_name, Department.name)
            .join(Department, Department.id == PluginEnablement.department_id)
            .order_by(Department.name)
        )
        for plugin_name, department in rows:
            enabled.setdefault(plugin_name, []).append(department)
        return [
            {
                "name": p.name,
                "slug": p.manifest.slug,
                "label": p.manifest.label,
                "version": p.manifest.version,
                "requires": list(p.manifest.requires),
                "uses": list(p.manifest.uses),
                "installed": p.installed,
                "loaded": p.loaded,
                "enabled_for": enabled.get(p.name, []),
            }
            for p in host.plugins.plugins.values()
        ]
