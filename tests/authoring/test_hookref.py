"""The hook reference in docs/ is generated from the hookspecs and kept current."""

from __future__ import annotations

from pathlib import Path

from crm_host import hookspecs
from crm_host.authoring import hookref

PAGE = Path(__file__).parents[2] / "docs" / "reference" / "hooks.md"


def test_the_page_is_current():
    assert PAGE.read_text(encoding="utf-8") == hookref.render(), (
        "run: python -m crm_host.authoring.hookref docs/reference/hooks.md"
    )


def test_every_hookspec_has_a_section_with_its_docstring():
    page = hookref.render()
    specs = hookref.hookspecs_of(hookspecs)
    assert len(specs) >= 21
    for name, function in specs.items():
        assert f"### `{name}`" in page
        assert function.__doc__.strip().splitlines()[0] in page


def test_a_hookspec_without_a_section_still_gets_one():
    class Extra:
        @hookspecs.hookspec(firstresult=True)
        def crm_extra_thing(self, thing_id):
            """Answer something about a thing. First-result."""

    page = hookref.render(Extra)  # type: ignore[arg-type]
    assert "## Other hooks" in page and "crm_extra_thing(thing_id)" in page
    assert "*Kind:* first-result." in page


def test_the_check_option_reports_a_stale_page(tmp_path, capsys):
    stale = tmp_path / "hooks.md"
    stale.write_text("old")
    assert hookref.main([str(stale), "--check"]) == 1
    assert "is out of date" in capsys.readouterr().out
    assert hookref.main([str(stale)]) == 0
    assert hookref.main([str(stale), "--check"]) == 0
