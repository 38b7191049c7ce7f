"""`crm plugins new`: a generated plugin installs, passes its own tests and the checker."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from click.testing import CliRunner

from crm_host.authoring import scaffold
from crm_host.cli.main import cli as crm

from .conftest import pip_install_target, run_with


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A plugin generated with the command, pip-installed into a folder of its own."""
    work = tmp_path_factory.mktemp("new-plugin")
    result = CliRunner().invoke(
        crm, ["plugins", "new", "water_utility", "--dest", str(work), "--label-zh", "水务"]
    )
    assert result.exit_code == 0, result.output
    root = work / "crm-water-utility"
    assert f"Created crm-water-utility in {root}." in result.output
    target = work / "site"
    pip_install_target(root, target)
    return root, target


def test_the_distribution_has_every_part(generated):
    root, target = generated
    package = root / "crm_water_utility"
    for part in [
        "pyproject.toml",
        "crm_water_utility/__init__.py",
        "crm_water_utility/plugin.py",
        "crm_water_utility/models/__init__.py",
        "crm_water_utility/models/entries.py",
        "crm_water_utility/api/__init__.py",
        "crm_water_utility/api/blueprint.py",
        "crm_water_utility/api/entries.py",
        "crm_water_utility/views/__init__.py",
        "crm_water_utility/views/blueprint.py",
        "crm_water_utility/views/entries.py",
        "crm_water_utility/cli/__init__.py",
        "crm_water_utility/cli/entries.py",
        "crm_water_utility/schemas/__init__.py",
        "crm_water_utility/schemas/entries.py",
        "crm_water_utility/migrations/versions/waterutility0001_entries.py",
        "crm_water_utility/templates/waterutility/entries.html",
        "crm_water_utility/translations/zh_Hans/LC_MESSAGES/messages.po",
        "tests/conftest.py",
    ]:
        assert (root / part).is_file(), part
    assert 'water_utility = "crm_water_utility"' in (root / "pyproject.toml").read_text()
    migration = (package / "migrations/versions/waterutility0001_entries.py").read_text()
    assert f'depends_on: str | Sequence[str] | None = "{scaffold.host_head()}"' in migration
    assert 'branch_labels: str | Sequence[str] | None = ("waterutility",)' in migration
    assert 'msgstr "水务"' in (package / "translations/zh_Hans/LC_MESSAGES/messages.po").read_text()
    for path in root.rglob("*.py"):
        ast.parse(path.read_text(), str(path))  # every placeholder was filled
    # Installed like any third-party distribution: its entry point and its data files.
    assert (target / "crm_water_utility" / "templates" / "waterutility" / "entries.html").is_file()
    [info] = target.glob("crm_water_utility-*.dist-info")
    assert "[crm_host.plugins]" in (info / "entry_points.txt").read_text()


def test_its_own_tests_pass_as_generated(generated):
    root, target = generated
    result = run_with(target, "-m", "pytest", "-q", "-p", "no:cacheprovider", cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert " passed" in result.stdout and "failed" not in result.stdout


def test_the_checker_finds_nothing_to_say(generated):
    root, target = generated
    result = run_with(target, "-m", "crm_host.cli", "plugins", "check", "water_utility", cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "water_utility: no findings."
    # Not even a note (every table got a made-up row) or a warning (it imports only the SDK).
    assert result.stderr == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Water"], "plugin name 'Water' must start with a letter and use lower-case"),
        (["admin"], "slug 'admin' is reserved by the host; choose another with --slug"),
        (["water", "--slug", "w-1"], "slug 'w-1' must be 2–31 lower-case letters or digits"),
        (["water", "--label", "Wa'ter"], 'label "Wa\'ter" must be plain text'),
    ],
)
def test_bad_names_are_refused(tmp_path, args, message):
    result = CliRunner().invoke(crm, ["plugins", "new", *args, "--dest", str(tmp_path)])
    assert result.exit_code == 1
    assert message in result.output
    assert list(tmp_path.iterdir()) == []


def test_an_existing_folder_is_never_overwritten(tmp_path):
    (tmp_path / "crm-water").mkdir()
    result = CliRunner().invoke(crm, ["plugins", "new", "water", "--dest", str(tmp_path)])
    assert result.exit_code == 1
    assert "exists already" in result.output
    assert list((tmp_path / "crm-water").iterdir()) == []
