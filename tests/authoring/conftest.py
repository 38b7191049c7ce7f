"""Helpers of the author-kit tests: installing a distribution the way a plugin author does."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURE_PLUGINS = Path(__file__).parents[1] / "fixtures" / "plugins"


def pip_install_target(source: Path, target: Path) -> None:
    """pip-install a distribution into a folder of its own, leaving this environment as it is."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--target",
            str(target),
            str(source),
        ],
        check=True,
    )


def run_with(target: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``python ARGS`` in a fresh process that sees the distributions under ``target``.

    The environment is passed on, so ``CRM_TEST_DATABASE_URL`` chooses the backend of
    the plugin's own tests as it does for the host's.
    """
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(target), env.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )


@pytest.fixture
def fixture_plugins(monkeypatch: pytest.MonkeyPatch) -> Path:
    """The single-module fixture plugins, importable by module name."""
    monkeypatch.syspath_prepend(str(FIXTURE_PLUGINS))
    return FIXTURE_PLUGINS
