"""Host tests use the same pytest plugin (crm_host.testing) a third-party plugin would."""

from __future__ import annotations

import importlib
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"

#: A plugin written before the SDK, tested on its own by .ci/authoring.sh (it needs
#: to be installed, and its tests would clash with the live example's fixtures).
collect_ignore = ["fixtures/crm-loyalty-legacy"]


@pytest.fixture(scope="session")
def example_distribution(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The separate distribution ``crm-example`` pip-installed into a directory on sys.path.

    Installed with pip like any third-party plugin (its entry point in
    ``crm_host.plugins`` is all the host learns of it), but into a directory of its
    own so that the environment running the tests is left as it was.
    """
    work = tmp_path_factory.mktemp("example-dist")
    source = work / "src"
    shutil.copytree(FIXTURES / "crm_example_dist", source)
    target = work / "site"
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
    sys.path.insert(0, str(target))
    importlib.invalidate_caches()
    yield target
    sys.path.remove(str(target))
    for name in [m for m in sys.modules if m == "crm_example" or m.startswith("crm_example.")]:
        del sys.modules[name]
    importlib.invalidate_caches()


@pytest.fixture(scope="session")
def crm_plugins() -> list[str]:
    """The host's tests run with the four built-ins; the example plugin installs itself."""
    return ["industry_power", "marketing", "sales", "service"]


@pytest.fixture
def holder(app, db, monkeypatch):
    """The fx_holder plugin (it keeps rows that point at customers) registered on the app,
    its table created inside the test's transaction."""
    monkeypatch.syspath_prepend(str(FIXTURES / "plugins"))
    module = importlib.import_module("crm_fx_holder")
    module.cards.create(db.connection())
    host = app.extensions["crm"]
    host.plugins.pm.register(module, name="fx_holder")
    module.MOVE["enabled"] = True
    yield module
    host.plugins.pm.unregister(name="fx_holder")
