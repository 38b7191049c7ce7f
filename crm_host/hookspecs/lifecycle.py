"""Lifecycle hooks: adding a plugin's own hookspecs, and start-up."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

from crm_host.hookspecs.marker import hookspec

if TYPE_CHECKING:
    from flask import Flask


@hookspec(historic=True)
def crm_addhooks(pm: pluggy.PluginManager) -> None:
    """Add a plugin's own hookspecs (named ``crm_<slug>_*``) with ``pm.add_hookspecs``.

    Historic: called once for every plugin as it is registered, so a plugin
    registered later still sees it. Collecting; the return value is ignored.
    """


@hookspec
def crm_startup(app: Flask) -> None:
    """Called once when the application has been built and every plugin loaded.

    Use it for checks that need the whole application. Collecting; the return
    value is ignored; raising stops start-up with the plugin named.
    """
