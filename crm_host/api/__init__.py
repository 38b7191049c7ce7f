"""The host's own REST resources under ``/api/v1/``."""

from flask_smorest import Api

from crm_host.api import (
    attachments,
    audit,
    auth,
    custom_fields,
    customers,
    directory,
    imports,
    notifications,
    plugins,
    search,
    tags,
    tokens,
)

PREFIX = "/api/v1"


def register(api: Api) -> None:
    """Mount the host's API blueprints."""
    api.register_blueprint(auth.blp, url_prefix=f"{PREFIX}/auth")
    api.register_blueprint(customers.blp, url_prefix=f"{PREFIX}/customers")
    api.register_blueprint(tags.blp, url_prefix=f"{PREFIX}/tags")
    api.register_blueprint(imports.blp, url_prefix=f"{PREFIX}/imports")
    api.register_blueprint(custom_fields.blp, url_prefix=f"{PREFIX}/custom-fields")
    api.register_blueprint(directory.blp, url_prefix=PREFIX)
    api.register_blueprint(plugins.blp, url_prefix=f"{PREFIX}/plugins")
    api.register_blueprint(tokens.blp, url_prefix=f"{PREFIX}/tokens")
    api.register_blueprint(audit.blp, url_prefix=f"{PREFIX}/audit")
    api.register_blueprint(attachments.blp, url_prefix=f"{PREFIX}/attachments")
    api.register_blueprint(notifications.blp, url_prefix=f"{PREFIX}/notifications")
    api.register_blueprint(search.blp, url_prefix=f"{PREFIX}/search")
