"""Plugins present, installed and enabled (read-only here; changes go through `crm plugins`)."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint

from crm_host.core.host import get_host
from crm_host.domain import lifecycle
from crm_host.security.permissions import require

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


class EnablementIn(ma.Schema):
    departments = ma.fields.List(
        ma.fields.String(validate=ma.validate.Length(min=1, max=200)),
        required=True,
        validate=ma.validate.Length(min=1),
        metadata={"description": "Department codes or names"},
    )


class EnablementOut(ma.Schema):
    changed = ma.fields.List(ma.fields.String())


@blp.route("")
class Plugins(MethodView):
    @require("host.directory.read")
    @blp.response(200, PluginSchema(many=True))
    def get(self) -> list[dict[str, Any]]:
        """Every plugin present, with whether it is installed and where it is enabled."""
        host = get_host()
        return lifecycle.describe_plugins(host.session, host.plugins.plugins.values())


def _change(name: str, departments: list[str], enable: bool) -> dict[str, Any]:
    host = get_host()
    changed = lifecycle.change_enablement(
        host.session, host.discovery, name, departments, on=enable
    )
    host.session.commit()
    return {"changed": changed}


@blp.route("/<string(maxlength=64):name>/enable")
class Enable(MethodView):
    @require("host.plugins.manage")
    @blp.arguments(EnablementIn)
    @blp.response(200, EnablementOut)
    def post(self, data: dict[str, Any], name: str) -> dict[str, Any]:
        """Enable an installed plugin for departments (its requirements must be enabled there)."""
        return _change(name, data["departments"], enable=True)


@blp.route("/<string(maxlength=64):name>/disable")
class Disable(MethodView):
    @require("host.plugins.manage")
    @blp.arguments(EnablementIn)
    @blp.response(200, EnablementOut)
    def post(self, data: dict[str, Any], name: str) -> dict[str, Any]:
        """Disable a plugin for departments; its data is kept."""
        return _change(name, data["departments"], enable=False)
