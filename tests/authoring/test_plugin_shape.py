"""Every plugin has the one plugin shape (docs/authors/plugin-shape.md).

The example, a freshly scaffolded plugin and the four built-ins are read by
``crm_host.authoring.shape.shape_problems``; the checker itself is tested on small
packages written here that break one rule each.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from crm_host.authoring import scaffold
from crm_host.authoring.shape import shape_problems

ROOT = Path(__file__).parents[2]
EXAMPLE = ROOT / "examples" / "crm-loyalty" / "crm_loyalty"
BUILT_INS = {
    "sales": ROOT / "plugins" / "sales" / "crm_sales",
    "service": ROOT / "plugins" / "service" / "crm_service",
    "marketing": ROOT / "plugins" / "marketing" / "crm_marketing",
    "industry_power": ROOT / "plugins" / "industry_power" / "crm_industry_power",
}


@pytest.fixture(scope="module")
def scaffolded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The package of a plugin just made by ``crm plugins new``."""
    names = scaffold.plugin_names("water", label="Water utility", label_zh="水务")
    root = scaffold.generate(names, tmp_path_factory.mktemp("shape"))
    return root / names.package


@pytest.mark.parametrize(
    "package",
    [
        pytest.param(EXAMPLE, id="example"),
        pytest.param("scaffolded", id="scaffold"),
        *(pytest.param(path, id=name) for name, path in BUILT_INS.items()),
    ],
)
def test_the_plugin_has_the_shape(package, request):
    if package == "scaffolded":
        package = request.getfixturevalue("scaffolded")
    assert package.is_dir(), package
    assert shape_problems(package) == []


def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    """A plugin package ``crm_x`` with these files (relative path → text)."""
    package = tmp_path / "crm_x"
    files = {"__init__.py": "manifest = object()\n", **files}
    for name, text in files.items():
        (package / name).parent.mkdir(parents=True, exist_ok=True)
        (package / name).write_text(text)
    return package


def test_the_manifest_stands_alone_in_init(tmp_path):
    package = _package(
        tmp_path,
        {
            "__init__.py": "from crm_x import plugin\nfrom . import api\n",
            "plugin.py": "",
        },
    )
    assert shape_problems(package) == [
        "crm_x/__init__.py does not define `manifest`: the manifest lives there, alone",
        "crm_x/__init__.py:1 imports crm_x.plugin: __init__.py holds the manifest only, "
        "so that discovering the plugin imports nothing else",
        "crm_x/__init__.py:2 imports .api: __init__.py holds the manifest only, "
        "so that discovering the plugin imports nothing else",
    ]


def test_layers_are_packages_split_by_feature(tmp_path):
    package = _package(
        tmp_path,
        {
            "api.py": "",
            "views_report.py": "",
            "cli/points.py": "",
            "schemas/__init__.py": "",
            "schemas/points.py": "",
            "migrations/versions/x0001_api_tables.py": "",
        },
    )
    assert shape_problems(package) == [
        "crm_x/api.py is a module: make api/ a package split by feature "
        "(api/<feature>.py, assembled in api/__init__.py)",
        "crm_x/cli/ has no __init__.py: it is a package that assembles its feature modules",
        "crm_x/views_report.py is named after its layer: move it to views/report.py",
    ]


def test_click_commands_are_module_level(tmp_path):
    closure = (
        "import click\n\n"
        "def register(cli):\n"
        "    @cli.command('balance')\n"
        "    def balance():\n"
        "        pass\n\n"
        "    @cli.group()\n"
        "    def more():\n"
        "        pass\n"
    )
    flat = "import click\n\n@click.command('balance')\ndef balance():\n    pass\n"
    registry = "def register(registry):\n    registry.add('x', len)\n"
    package = _package(
        tmp_path,
        {"cli/__init__.py": closure, "cli/points.py": flat, "objects.py": registry},
    )
    assert shape_problems(package) == [
        "crm_x/cli/__init__.py:3 defines click commands inside register() (balance, more): "
        "define them at module level and gather them in cli/__init__.py"
    ]


def test_a_single_module_plugin_has_no_shape_to_check(tmp_path):
    module = tmp_path / "crm_one.py"
    module.write_text("manifest = object()\n")
    assert shape_problems(module) == []
