"""The application factory."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any

import click
from flask import Flask
from flask.cli import AppGroup

from crm_host import api as host_api
from crm_host import console, i18n
from crm_host.config import load_config
from crm_host.core import sensitive
from crm_host.core.db import Database, pool_settings
from crm_host.core.fields import IdConverter
from crm_host.core.host import Host, get_host
from crm_host.core.objects import collect_objects
from crm_host.domain import directory, lifecycle
from crm_host.domain.host_types import register_host_types
from crm_host.domain.jobs import register_domain_jobs
from crm_host.links import page as links_page
from crm_host.plugins.facade import PluginError, PluginManager, discover
from crm_host.runtime import api as runtime_api
from crm_host.runtime import facade as host_runtime
from crm_host.runtime.permissions import RUNTIME_PERMISSIONS
from crm_host.security import auth, oidc
from crm_host.security.permissions import HOST_PERMISSIONS, PermissionRegistry, signed_in_may_reveal
from crm_host.web import _limits as limits
from crm_host.web import headers, health, metrics, proxies
from crm_host.web.api import create_api
from crm_host.web.mount import mount_plugin_blueprints


def create_app(
    config: Mapping[str, Any] | None = None,
    *,
    database: Database | None = None,
    safe_mode: bool = False,
    instance_path: str | None = None,
) -> Flask:
    """Build a crm-host application.

    Loads the plugins recorded as installed in the database. A plugin that cannot be
    loaded stops start-up with a :class:`PluginError` naming it — unless
    ``safe_mode`` is set (the ``crm`` command does, so that ``crm plugins …`` can
    still repair things): then the app comes up with no plugin loaded and the error
    is kept in ``get_host(app).load_error``.
    """
    app = Flask("crm_host", instance_path=instance_path or os.environ.get("CRM_INSTANCE_PATH"))
    load_config(app, config)
    limits.init_app(app)
    headers.init_app(app)
    sensitive.configure(app.config.get("FIELD_KEYS"))
    db = database or Database(app.config["DATABASE_URL"], **pool_settings(app.config))
    plugins = PluginManager()
    host = Host(db=db, plugins=plugins)
    discovery = discover()
    try:
        plugins.load(discovery, lifecycle.installed_names(db))
    except PluginError as error:
        if not safe_mode:
            raise
        plugins = PluginManager()
        plugins.load(discovery, [])
        host = Host(db=db, plugins=plugins, load_error=str(error))
    host.discovery = discovery
    host.permissions = _collect_permissions(plugins)
    host.objects = collect_objects(plugins, host.permissions, register_host_types)
    host.init_app(app)
    auth.init_app(app)
    # Who may see phone and ID numbers in full (crm_host.core.sensitive.may_reveal asks).
    app.extensions["crm_reveal_check"] = signed_in_may_reveal
    host_runtime.init_app(app, host_jobs=[register_domain_jobs], app_factory=create_app)

    app.url_map.converters["id"] = IdConverter
    prefixes = {p.manifest.package: p.manifest.slug.capitalize() for p in plugins.plugins.values()}
    api = create_api(app, prefixes)
    host_api.register(api)
    runtime_api.register(api)
    console.init_app(app)
    oidc.init_app(app, create_user=directory.create_user)
    links_page.init_app(app)
    i18n.init_app(app, [p.manifest.package for p in plugins.plugins.values()])
    health.init_app(app)
    metrics.init_app(app)
    proxies.init_app(app)
    mount_plugin_blueprints(app, api, host)
    _add_plugin_commands(app, host)
    plugins.hook.crm_startup(app=app)
    return app


def _collect_permissions(plugins: PluginManager) -> PermissionRegistry:
    """The host's permissions and every loaded plugin's, checked for names and duplicates."""
    registry = PermissionRegistry()
    registry.add("the host", "host", HOST_PERMISSIONS + RUNTIME_PERMISSIONS)
    for name, declared in plugins.call_each("crm_register_permissions"):
        registry.add(f"plugin {name}", plugins.manifest(name).slug, declared or ())
    return registry


def _add_plugin_commands(app: Flask, host: Host) -> None:
    """Give each loaded plugin a click group named by its slug; report broken ones."""
    for name, function, _argnames in host.plugins.implementations("crm_register_commands"):
        manifest = host.plugins.manifest(name)
        group = AppGroup(manifest.slug, help=f"{manifest.label} ({name}) commands.")
        try:
            function(cli=group)
        except Exception as exc:  # one broken plugin must not take the CLI down
            group = _broken_group(manifest.slug, name, exc)
        host.command_groups[name] = group
        app.cli.add_command(group)


def _broken_group(slug: str, plugin: str, error: Exception) -> click.Group:
    message = f"plugin {plugin} failed to register its commands: {error}"

    @click.group(slug, help=f"(broken) {message}", invoke_without_command=True)
    def broken() -> None:
        raise click.ClickException(message)

    return broken


def installed_plugin_names(app: Flask | None = None) -> Iterable[str]:
    """Names of the plugins loaded by ``app`` (or the current app)."""
    return [p.name for p in get_host(app).plugins.loaded]
