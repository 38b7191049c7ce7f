"""The web console: server-rendered pages for departments and admins.

The shell (sign-in, navigation, dashboard, search, language) and the host's pages
live here; each plugin adds its own pages through ``crm_register_blueprints`` and
its navigation through ``crm_menu_items``.
"""

from __future__ import annotations

from flask import Flask

from crm_host.console import _charts as charts
from crm_host.console import _versions as versions
from crm_host.console import admin, customers, imports, labels, shell
from crm_host.core.sensitive import shown


def init_app(app: Flask) -> None:
    """Register the console's blueprints on ``app``."""
    for blueprint in (shell.bp, customers.bp, imports.bp, admin.bp, charts.bp):
        app.register_blueprint(blueprint)
    # Phone and ID numbers and address lines in full only for users who may reveal them;
    # plugins' templates use the same filter for every value copied from a customer.
    app.jinja_env.filters["sensitive"] = shown
    app.jinja_env.globals.update(
        field_label=labels.field_label,
        choice_label=labels.choice_label,
        choice_pairs=labels.choices,
        version_input=versions.version_input,
    )
