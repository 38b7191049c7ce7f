"""Shared by the deployment files' checks: where they are, and what a ``crm`` command line means."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def crm_command(args: list[str]) -> tuple[str, dict[str, Any]]:
    """The ``crm`` (sub)command ``args`` name (``"plugins install"``) and its parsed parameters.

    A command or an option that does not exist raises :class:`click.UsageError`, as
    ``crm`` itself would refuse it at start-up.
    """
    from crm_host.cli.main import cli

    context = click.Context(cli, info_name="crm")
    group: click.Command = cli
    words = list(args)
    names = []
    # Down through groups (`crm plugins install NAME`) to the command that runs.
    while isinstance(group, click.Group):
        name, *words = words
        command = group.get_command(context, name)
        if command is None:
            raise click.UsageError(f"no command {' '.join([*names, name])!r}")
        names.append(name)
        if isinstance(command, click.Group):
            context = click.Context(command, info_name=name, parent=context)
        group = command
    parsed = group.make_context(names[-1], words, parent=context)
    return " ".join(names), parsed.params


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
