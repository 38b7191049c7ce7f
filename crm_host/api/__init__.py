"""The host's own REST resources under ``/api/v1/``."""

from flask_smorest import Api

from crm_host.api import auth, plugins


def register(api: Api) -> None:
    """Mount the host's API blueprints."""
    api.register_blueprint(auth.blp, url_prefix="/api/v1/auth")
    api.register_blueprint(plugins.blp, url_prefix="/api/v1/plugins")
