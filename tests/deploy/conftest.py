"""Shared by the deployment files' checks: where they are, and what a ``crm`` command line means."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def crm_command(args: list[str]) -> tuple[str, dict[str, Any]]:
    """The ``crm`` subcommand ``args`` name and the parameters they parse to.

    A command or an option that does not exist raises :class:`click.UsageError`, as
    ``crm`` itself would refuse it at start-up.
    """
    from crm_host.cli import cli

    parent = click.Context(cli, info_name="crm")
    command = cli.get_command(parent, args[0])
    if command is None:
        raise click.UsageError(f"no command {args[0]!r}")
    context = command.make_context(args[0], list(args[1:]), parent=parent)
    return args[0], context.params


def env_file(path: Path) -> dict[str, str]:
    """``KEY=value`` lines, as systemd's EnvironmentFile and compose's .env read them."""
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


@pytest.fixture(scope="session")
def example_env() -> dict[str, str]:
    """The settings deploy/crm.env.example gives every process."""
    return env_file(DEPLOY / "crm.env.example")
