"""Mounting plugins' blueprints under their slug, behind the department gate."""

from __future__ import annotations

from flask import Blueprint, Flask
from flask_smorest import Blueprint as ApiBlueprint

from crm_host.core.host import Host
from crm_host.plugins.facade import PluginError
from crm_host.web.api import API_PREFIX, Api
from crm_host.web.gate import make_gate


def mount_plugin_blueprints(app: Flask, api: Api, host: Host) -> None:
    """Register every loaded plugin's blueprints: API under ``/api/v1/<slug>``, console
    under ``/<slug>``. A blueprint that is not a Blueprint, or a name used twice,
    stops start-up naming the plugin."""
    seen: dict[str, str] = {}
    for plugin_name, blueprints in host.plugins.call_each("crm_register_blueprints"):
        slug = host.plugins.manifest(plugin_name).slug
        for blueprint in blueprints or ():
            if not isinstance(blueprint, Blueprint):
                raise PluginError(
                    f"plugin {plugin_name}: crm_register_blueprints returned {blueprint!r}, "
                    "not a Blueprint"
                )
            is_api = isinstance(blueprint, ApiBlueprint)
            name = f"{slug}_{blueprint.name}" if is_api else f"{slug}.{blueprint.name}"
            name = name.replace(".", "_")
            if name in seen:
                raise PluginError(
                    f"plugin {plugin_name}: blueprint {blueprint.name!r} is registered twice"
                )
            seen[name] = plugin_name
            host.blueprint_owners[name] = plugin_name
            _add_gate(blueprint, plugin_name, api=is_api)
            sub_prefix = blueprint.url_prefix or ""
            if is_api:
                api.register_blueprint(
                    blueprint, url_prefix=f"{API_PREFIX}/{slug}{sub_prefix}", name=name
                )
            else:
                app.register_blueprint(blueprint, url_prefix=f"/{slug}{sub_prefix}", name=name)


def _add_gate(blueprint: Blueprint, plugin_name: str, *, api: bool) -> None:
    # A blueprint object can be mounted by many apps (tests build several); Flask refuses
    # setup calls after the first registration, and one gate serves every app anyway.
    if getattr(blueprint, "_crm_gated_for", None) == plugin_name:
        return
    if getattr(blueprint, "_got_registered_once", False):
        raise PluginError(
            f"plugin {plugin_name}: blueprint {blueprint.name!r} was registered by someone "
            "else before the host mounted it"
        )
    blueprint.before_request(make_gate(plugin_name, api=api))
    blueprint._crm_gated_for = plugin_name  # type: ignore[attr-defined]
