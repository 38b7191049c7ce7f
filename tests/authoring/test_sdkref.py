"""The SDK: importable on its own, re-exporting the host's own objects, and its
reference in docs/ generated from its docstrings and kept current."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from crm_host.authoring import sdkref
from crm_host.authoring.sdkimports import SDK_MODULES

PAGE = Path(__file__).parents[2] / "docs" / "authors" / "sdk.md"


def test_the_page_is_current():
    assert PAGE.read_text(encoding="utf-8") == sdkref.render(), (
        "run: python -m crm_host.authoring.sdkref docs/authors/sdk.md"
    )


@pytest.mark.parametrize("module", SDK_MODULES)
def test_each_sdk_module_imports_on_its_own(module):
    # A fresh interpreter: no host module loaded first to hide an import cycle.
    done = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True)
    assert done.returncode == 0, done.stderr.decode()


def test_the_core_sdk_loads_fail_with_the_commands_only_when_asked():
    # Every plugin module imports the SDK: it must not pull in every command and route.
    code = (
        "import sys, crm_host.sdk as sdk\n"
        "assert 'crm_host.cli' not in sys.modules\n"
        "from crm_host.sdk import fail\n"
        "from crm_host.cli._common import fail as original\n"
        "assert fail is original and sdk.fail is original\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True)
    assert done.returncode == 0, done.stderr.decode()


def test_every_name_is_documented_under_a_section():
    page = sdkref.render()
    for module_name in SDK_MODULES:
        module = importlib.import_module(module_name)
        sections = sdkref.sections_of(module)
        assert all(title for title, _ in sections), f"{module_name}: a name before any section"
        for name in module.__all__:
            assert f"#### `{name}`" in page
    assert "(no docstring)" not in page


def test_the_sdk_re_exports_the_hosts_own_objects():
    from crm_host.console._access import page
    from crm_host.core.host import get_host
    from crm_host.core.migration_ops import add_version_columns
    from crm_host.records import audit
    from crm_host.sdk import audit as sdk_audit
    from crm_host.sdk import get_host as sdk_get_host
    from crm_host.sdk.migrations import add_version_columns as sdk_add_version_columns
    from crm_host.sdk.web import page as sdk_page

    assert sdk_get_host is get_host and sdk_audit is audit and sdk_page is page
    assert sdk_add_version_columns is add_version_columns


def test_the_check_option_reports_a_stale_page(tmp_path, capsys):
    stale = tmp_path / "sdk.md"
    stale.write_text("# old\n", encoding="utf-8")
    assert sdkref.main([str(stale), "--check"]) == 1
    assert "is out of date" in capsys.readouterr().out
    assert sdkref.main([str(stale)]) == 0
    assert sdkref.main([str(stale), "--check"]) == 0
