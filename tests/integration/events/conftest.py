"""Events about customers across plugins: the built-ins and ``fx_badges``, a fixture
plugin publishing an event of its own, installed together in databases of their own."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

from crm_host.plugins.facade import discover
from crm_host.plugins.manager import Discovery, _fill_defaults
from crm_host.testing import build_app, prepare_database

FIXTURES = Path(__file__).parents[2] / "fixtures" / "plugins"
PLUGINS = ["industry_power", "marketing", "sales", "service", "fx_badges"]


@pytest.fixture(scope="session")
def badges_discovery() -> Discovery:
    """What discovery finds with ``crm_fx_badges`` present next to the built-ins."""
    real = discover()
    manifests = dict(real.manifests)
    sys.path.insert(0, str(FIXTURES))
    try:
        module = importlib.import_module("crm_fx_badges")
        manifests[module.manifest.name] = _fill_defaults(module.manifest, module)
    finally:
        sys.path.remove(str(FIXTURES))
    return Discovery(manifests, dict(real.distributions), dict(real.problems))


@pytest.fixture(scope="session")
def crm_plugins() -> list[str]:
    return PLUGINS


@pytest.fixture(scope="session")
def crm_departments() -> dict[str, tuple[str, list[str]]]:
    return {
        "sales": ("Sales", ["sales"]),
        "service": ("Service Centre", ["service"]),
        "marketing": ("Marketing", ["marketing", "fx_badges"]),
    }


@pytest.fixture(scope="session")
def crm_installation(crm_databases, crm_plugins, crm_departments, badges_discovery):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("crm_host.testing.discover", lambda: badges_discovery)
        url = crm_databases.create("customer_events")
        return prepare_database(url, crm_plugins, crm_departments)


@pytest.fixture(scope="session")
def crm_app(crm_installation, tmp_path_factory, badges_discovery):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("crm_host.app.discover", lambda: badges_discovery)
        return build_app(crm_installation.url, tmp_path_factory.mktemp("customer-events"))


@pytest.fixture
def badges():
    """The fixture plugin's module, its call record emptied."""
    module = sys.modules["crm_fx_badges"]
    module.CALLS.clear()
    return module
