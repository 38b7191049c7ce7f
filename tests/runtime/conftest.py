"""The runtime's tests run with fixture plugins installed next to the built-ins.

Both tiers (``db`` and ``committed_db``) get databases of their own here, with
``fx_listen_a/b/c`` (event handlers) and ``fx_jobs`` (jobs and schedules) installed,
``fx_jobs`` enabled for Sales and the Service Centre only. The fixture plugins are
single modules found by a hand-made discovery, as in test_plugin_loading.py.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

from crm_host.plugins.facade import discover
from crm_host.plugins.manager import Discovery, _fill_defaults
from crm_host.testing import build_app, prepare_database

FIXTURES = Path(__file__).parents[1] / "fixtures" / "plugins"
FX_PLUGINS = {
    "fx_listen_a": "crm_fx_listen_a",
    "fx_listen_b": "crm_fx_listen_b",
    "fx_listen_c": "crm_fx_listen_c",
    "fx_jobs": "crm_fx_jobs",
}
BUILTINS = ["industry_power", "marketing", "sales", "service"]


def fixture_discovery(*modules: str) -> Discovery:
    """What discovery finds when the given fixture modules are present too."""
    real = discover()
    manifests = dict(real.manifests)
    sys.path.insert(0, str(FIXTURES))
    try:
        for module_name in modules:
            module = importlib.import_module(module_name)
            manifests[module.manifest.name] = _fill_defaults(module.manifest, module)
    finally:
        sys.path.remove(str(FIXTURES))
    return Discovery(manifests, dict(real.distributions), dict(real.problems))


@pytest.fixture(scope="session")
def fx_discovery() -> Discovery:
    """Discovery of the built-ins and the runtime's fixture plugins."""
    return fixture_discovery(*FX_PLUGINS.values())


@pytest.fixture(scope="session")
def crm_plugins() -> list[str]:
    return BUILTINS + sorted(FX_PLUGINS)


@pytest.fixture(scope="session")
def crm_departments() -> dict[str, tuple[str, list[str]]]:
    return {
        "sales": ("Sales", ["sales", "fx_jobs"]),
        "service": ("Service Centre", ["service", "fx_jobs"]),
        "marketing": ("Marketing", ["marketing"]),
        "power": ("Power Marketing", ["industry_power"]),
    }


def _prepare(url, plugins, departments, discovery):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("crm_host.testing.discover", lambda: discovery)
        return prepare_database(url, plugins, departments)


def _build(url, path, discovery):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("crm_host.app.discover", lambda: discovery)
        return build_app(url, path)


@pytest.fixture(scope="session")
def crm_installation(crm_databases, crm_plugins, crm_departments, fx_discovery):
    return _prepare(crm_databases.create("runtime"), crm_plugins, crm_departments, fx_discovery)


@pytest.fixture(scope="session")
def crm_app(crm_installation, tmp_path_factory, fx_discovery):
    return _build(crm_installation.url, tmp_path_factory.mktemp("runtime-app"), fx_discovery)


@pytest.fixture(scope="session")
def crm_committed_installation(crm_databases, crm_plugins, crm_departments, fx_discovery):
    url = crm_databases.create("runtime_committed")
    return _prepare(url, crm_plugins, crm_departments, fx_discovery)


@pytest.fixture(scope="session")
def crm_committed_app(crm_committed_installation, tmp_path_factory, fx_discovery):
    path = tmp_path_factory.mktemp("runtime-committed")
    return _build(crm_committed_installation.url, path, fx_discovery)


@pytest.fixture
def fx(fx_discovery):
    """The fixture plugins' modules, their call records emptied."""
    modules = {name: sys.modules[module] for name, module in FX_PLUGINS.items()}
    for module in modules.values():
        for record in ("CALLS", "RUNS"):
            if hasattr(module, record):
                getattr(module, record).clear()
    return modules
