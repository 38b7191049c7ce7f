"""The ``crm`` command: a Flask CLI group with the host's commands and each plugin's group."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup

from crm_host.cli import audit as audit_commands
from crm_host.cli import backup as backup_commands
from crm_host.cli import bench as bench_commands
from crm_host.cli import calendars as calendar_commands
from crm_host.cli import customers as customer_commands
from crm_host.cli import db as db_commands
from crm_host.cli import directory, plugins, setup
from crm_host.cli import health as health_commands
from crm_host.cli import importing as import_commands
from crm_host.cli import keys as key_commands
from crm_host.cli import throttle as throttle_commands
from crm_host.runtime import cli as runtime_commands


def _create_app() -> Flask:
    # Safe mode: a plugin that fails to load must not lock the admin out of
    # `crm plugins …`, the very commands that repair it.
    from crm_host.app import create_app
    from crm_host.runtime.settings import SettingsError

    try:
        return create_app(safe_mode=True)
    except SettingsError as error:  # a mistyped CRM_* value: say which, no traceback
        raise click.ClickException(str(error)) from None


def _show_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    # Flask's own --version names Flask and Werkzeug; an admin asks which crm-host runs.
    if not value or ctx.resilient_parsing:
        return
    import platform
    from importlib.metadata import version

    from crm_host import __version__

    click.echo(
        f"crm-host {__version__} (Python {platform.python_version()}, Flask {version('flask')})"
    )
    ctx.exit()


cli = FlaskGroup(
    name="crm",
    create_app=_create_app,
    help="crm-host: a CRM inside an ERP-style host. Set CRM_DATABASE_URL for PostgreSQL.",
    load_dotenv=False,
    set_debug_flag=False,
    add_version_option=False,
)
cli.params.append(
    click.Option(
        ["--version"],
        is_flag=True,
        expose_value=False,
        is_eager=True,
        callback=_show_version,
        help="Show crm-host's version and exit.",
    )
)
cli.add_command(plugins.group)
cli.add_command(db_commands.group)
cli.add_command(directory.departments)
cli.add_command(directory.users)
directory.users.add_command(throttle_commands.unlock_user)
cli.add_command(throttle_commands.group)
cli.add_command(health_commands.group)
cli.add_command(audit_commands.audit)
cli.add_command(customer_commands.group)
cli.add_command(import_commands.import_command)
cli.add_command(bench_commands.bench)
cli.add_command(key_commands.group)
cli.add_command(calendar_commands.group)
cli.add_command(backup_commands.backup_command)
cli.add_command(backup_commands.restore_command)
for command in setup.commands:
    cli.add_command(command)
for command in runtime_commands.commands:
    cli.add_command(command)


def main() -> None:
    """Entry point of the ``crm`` console script."""
    cli.main(prog_name="crm")
