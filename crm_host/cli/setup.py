"""``crm init``, ``crm demo`` and ``crm serve``."""

from __future__ import annotations

from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext

from crm_host.cli._common import fail, fail_if_broken, host
from crm_host.core import migrate
from crm_host.core.errors import CrmError, ValidationFailed
from crm_host.core.models import Setting
from crm_host.domain import lifecycle
from crm_host.domain.directory import create_user, ensure_standard_roles
from crm_host.security import passwords

ADMIN = "admin"


def initialise(admin_password: str | None, timezone: str) -> bool:
    """Migrate the host branch to its head and record the company timezone.

    Returns whether the database was new. Creates the ``admin`` user when a
    password is given and no such user exists.
    """
    if admin_password:
        # Checked before anything is created: a refused password leaves no tables behind.
        check_admin_password(admin_password)
    current = host()
    fresh = not lifecycle.installed_names(current.db) and not _has_host_tables()
    # The installed plugins' branches too: their revisions are in the version table,
    # and alembic must know every revision it finds there.
    migrate.upgrade(
        current.db, lifecycle.present_installed(current.db, current.discovery), "host@head"
    )
    session = current.session
    ensure_standard_roles(session)
    if session.get(Setting, "timezone") is None:
        session.add(Setting(key="timezone", value=timezone))
    if admin_password:
        try:
            create_user(
                session,
                username=ADMIN,
                password=admin_password,
                name="Administrator",
                is_admin=True,
            )
        except CrmError as error:
            if "exists already" not in error.message:
                raise fail(error) from error
    session.commit()
    return fresh


def check_admin_password(password: str) -> None:
    """Refuse the admin password, with the field's problems, before the database is touched."""
    refused = passwords.problems(password, username=ADMIN)
    if refused:
        raise fail(ValidationFailed("the user is not valid", details={"password": refused}))


def _has_host_tables() -> bool:
    import sqlalchemy as sa

    with host().db.engine.connect() as connection:
        return sa.inspect(connection).has_table("customers")


@click.command("init")
@click.option(
    "--admin-password",
    envvar="CRM_ADMIN_PASSWORD",
    help="Create the `admin` user with this password.",
)
@click.option(
    "--timezone",
    default="Asia/Shanghai",
    show_default=True,
    help="The company's timezone (calendars, SLA clocks, days in analytics).",
)
@with_appcontext
def init(admin_password: str | None, timezone: str) -> None:
    """Create or upgrade the host's tables."""
    initialise(admin_password, timezone)
    click.echo(f"Database ready: {host().db.url.render_as_string(hide_password=True)}")


@click.command("demo")
@click.option("--customers", default=300, show_default=True, help="How many demo customers.")
@click.option("--serve/--no-serve", default=True, help="Serve the console afterwards.")
@click.option("--host", "bind_host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
@with_appcontext
def demo(customers: int, serve: bool, bind_host: str, port: int) -> None:
    """Create a demo company (departments, users, customers, the built-in plugins) and serve it."""
    from crm_host.app import create_app
    from crm_host.demo.seed import seed_demo, seed_plugins, sign_in_hint

    initialise(None, "Asia/Shanghai")
    for line in seed_demo(current_app, customers=customers):
        click.echo(line)
    # Installing plugins changed what the app must load: build it anew.
    app = create_app()
    for line in seed_plugins(app):
        click.echo(line)
    click.echo(sign_in_hint())
    if serve:
        _serve(app, bind_host, port)


def _serve(app, bind_host: str, port: int) -> None:
    from crm_host.web.embedded import create_server

    server = create_server(app, bind_host, port)
    click.echo(f"Serving on http://{bind_host}:{port}/  (Ctrl+C to stop)")
    server.run()


@click.command("serve")
@click.option("--host", "bind_host", help="Address to listen on.  [default: 127.0.0.1]")
@click.option("--port", type=click.IntRange(1, 65535), help="Port.  [default: 5000]")
@click.option(
    "--production", is_flag=True, help="Run gunicorn with several worker processes (PostgreSQL)."
)
@click.option("--bind", help="gunicorn: HOST:PORT or unix:PATH (CRM_GUNICORN_BIND).")
@click.option("--workers", type=int, help="gunicorn worker processes (CRM_GUNICORN_WORKERS, 2).")
@click.option("--threads", type=int, help="gunicorn threads per worker (CRM_GUNICORN_THREADS, 4).")
@click.option(
    "--timeout", type=int, help="gunicorn: seconds before a silent worker is replaced (60)."
)
@click.option(
    "--forwarded-allow-ips",
    help="gunicorn: proxies whose X-Forwarded-* headers are trusted (CRM_GUNICORN_FORWARDED_ALLOW_IPS).",
)
@click.option(
    "--control-socket",
    help="gunicorn's control socket (default: gunicorn.ctl in the instance folder).",
)
@click.option("--no-control-socket", is_flag=True, help="gunicorn: no control socket.")
@with_appcontext
def serve(
    bind_host: str | None,
    port: int | None,
    production: bool,
    no_control_socket: bool,
    **gunicorn: Any,
) -> None:
    """Serve the console and the API: waitress (embedded default) or gunicorn (--production).

    gunicorn's options come from these flags, else the CRM_GUNICORN_* settings (or
    GUNICORN_* in the instance's crm.cfg); GUNICORN_CMD_ARGS adds any other.
    """
    fail_if_broken()
    if not production:
        _serve(current_app._get_current_object(), bind_host or "127.0.0.1", port or 5000)
        return
    import os

    from crm_host.production import GunicornOptions, describe, gunicorn_argv
    from crm_host.runtime.settings import SettingsError

    if gunicorn["bind"] is None and (bind_host or port):
        gunicorn["bind"] = f"{bind_host or '127.0.0.1'}:{port or 5000}"
    if no_control_socket:
        gunicorn["control_socket"] = "off"
    try:
        options = GunicornOptions.from_config(current_app.config, **gunicorn)
    except SettingsError as error:
        raise click.ClickException(str(error)) from None
    argv = gunicorn_argv(options, current_app.instance_path)
    click.echo(describe(options, current_app.instance_path))
    # gunicorn imports the app itself in each worker, from this process's environment.
    os.execv(argv[0], argv)


commands = [init, demo, serve]
