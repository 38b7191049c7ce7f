"""Helpers shared by the host's commands."""

from __future__ import annotations

import click
from flask import current_app

from crm_host.core.errors import CrmError
from crm_host.core.host import Host, get_host


def host() -> Host:
    """The host of the current application, warning once when it runs in safe mode."""
    current = get_host(current_app)
    if current.load_error and not getattr(current, "_warned", False):
        click.secho(f"warning: plugins not loaded: {current.load_error}", fg="yellow", err=True)
        current._warned = True  # type: ignore[attr-defined]
    return current


def fail_if_broken() -> None:
    """Refuse to serve or work while a plugin fails to load."""
    error = get_host(current_app).load_error
    if error:
        raise click.ClickException(f"cannot start: {error}")


def fail(error: CrmError) -> click.ClickException:
    """A click error carrying the message and each field's problem, one a line."""
    lines = [error.message]
    lines += [f"  {field}: {_words(problems)}" for field, problems in error.details.items()]
    return click.ClickException("\n".join(lines))


def _words(problems: object) -> str:
    # Messages come as a list of strings, or nested by field for nested input.
    if isinstance(problems, list):
        return " ".join(map(str, problems))
    return str(problems)
