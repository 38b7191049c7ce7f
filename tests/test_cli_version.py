"""``crm --version`` names crm-host's version, not only Flask's."""

from __future__ import annotations

from click.testing import CliRunner

from crm_host import __version__
from crm_host.cli.main import cli


def test_version_names_crm_host():
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.output.startswith(f"crm-host {__version__} (Python ")
    assert "Flask " in result.output
