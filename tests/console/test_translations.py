"""Every visible string of the console has a Simplified Chinese translation."""

from __future__ import annotations

import pytest

from crm_host.plugins.facade import discover
from crm_host.testing.translations import literal_texts, translation_problems

PACKAGES = ["crm_host", *sorted(m.package for m in discover().manifests.values() if m.package)]


@pytest.mark.parametrize("package", PACKAGES)
def test_every_visible_string_is_translated(package):
    assert translation_problems(package) == []


def test_the_check_catches_literal_text_and_attributes():
    template = """{% extends "x" %}<h1>{{ _('Fine') }}</h1><p>Forgot this</p>
    <input placeholder="Type here"><input placeholder="{{ _('ok') }}"><script>var notText = 1;</script>"""
    assert list(literal_texts(template)) == ["Type here", "Forgot this"]


def test_the_check_catches_a_missing_and_an_identical_translation(tmp_path, monkeypatch):
    import sys

    package = tmp_path / "crm_fx_i18n"
    (package / "templates").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "templates" / "page.html").write_text(
        "{{ _('Untranslated words') }} {{ _('Same') }}"
    )
    catalogue = package / "translations" / "zh_Hans" / "LC_MESSAGES"
    catalogue.mkdir(parents=True)
    (catalogue / "messages.po").write_text('msgid "Same"\nmsgstr "Same"\n', encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    sys.modules.pop("crm_fx_i18n", None)
    problems = translation_problems("crm_fx_i18n")
    assert problems == [
        "crm_fx_i18n: the zh_Hans translation of 'Same' is the English",
        "crm_fx_i18n: no zh_Hans translation for 'Untranslated words'",
    ]
