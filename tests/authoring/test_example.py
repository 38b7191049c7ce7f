"""The worked example under examples/ stays a working third-party plugin."""

from __future__ import annotations

import shutil
from pathlib import Path

from .conftest import pip_install_target, run_with

EXAMPLE = Path(__file__).parents[2] / "examples" / "crm-loyalty"


def test_the_loyalty_example_passes_its_tests_and_the_checker(tmp_path):
    # A copy, so that pip's build folder never lands in the repository.
    source = tmp_path / "src"
    shutil.copytree(EXAMPLE, source, ignore=shutil.ignore_patterns("build", "*.egg-info"))
    target = tmp_path / "site"
    pip_install_target(source, target)
    tests = run_with(target, "-m", "pytest", "-q", "-p", "no:cacheprovider", cwd=source)
    assert tests.returncode == 0, tests.stdout + tests.stderr
    check = run_with(target, "-m", "crm_host.cli", "plugins", "check", "loyalty", cwd=source)
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.strip() == "loyalty: no findings."
