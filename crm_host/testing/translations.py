"""Checks that a package's console is fully translated into Simplified Chinese.

Used by the host's tests for itself and every built-in plugin, and by third-party
plugins for theirs: ``assert translation_problems("crm_myplugin") == []``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from importlib import resources
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from crm_host.i18n import catalogue_paths

#: Words that are names, the same in every language.
ALLOWED_UNTRANSLATED = frozenset(
    {
        "crm-host",
        "CSV",
        "XLSX",
        "JSON Lines",
        "API",
        "ID",
        "OK",
        "SLA",
        "RFM",
        "kWh",
        "kW",
        "kVA",
        "%",
    }
)
KEYWORDS = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None, "ngettext": (1, 2)}
_JINJA = re.compile(r"{#.*?#}|{%.*?%}|{{.*?}}", re.S)
_SCRIPT = re.compile(r"<(script|style)\b.*?</\1>", re.S | re.I)
_TAG = re.compile(r"<[^>]*>", re.S)
_VISIBLE_ATTRIBUTE = re.compile(r'\b(placeholder|title|aria-label|alt)="([^"]*)"')
_LETTERS = re.compile(r"[A-Za-z]{2,}")


def package_root(package: str) -> Path:
    """The folder of an importable package."""
    return Path(str(resources.files(package)))


def extract_messages(root: Path) -> set[str]:
    """Every message id marked for translation in the package's Python and templates."""
    method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(root), method_map=method_map, keywords=KEYWORDS
    ):
        for text in message if isinstance(message, tuple) else (message,):
            if text:
                found.add(text)
    return found


def load_translations(packages: Iterable[str], locale: str = "zh_Hans") -> dict[str, str]:
    """Message id → translation over the catalogues of ``packages`` (fuzzy ones left out)."""
    translations: dict[str, str] = {}
    for package in packages:
        for path in catalogue_paths(package, locale):
            with path.open("rb") as handle:
                for message in read_po(handle, locale=locale):
                    if message.id and message.string and not message.fuzzy:
                        key = message.id if isinstance(message.id, str) else message.id[0]
                        value = (
                            message.string if isinstance(message.string, str) else message.string[0]
                        )
                        translations[key] = value
    return translations


def _has_words(text: str) -> bool:
    # Names that read the same in every language do not count as words to translate.
    for name in ALLOWED_UNTRANSLATED:
        text = text.replace(name, " ")
    return bool(_LETTERS.search(text))


def literal_texts(template: str) -> Iterator[str]:
    """Visible text of a template written as a literal instead of through ``_()``."""
    source = _SCRIPT.sub(" ", _JINJA.sub(" ", template))
    for _name, value in _VISIBLE_ATTRIBUTE.findall(source):
        if _has_words(value):
            yield value.strip()
    for text in _TAG.sub("\n", source).splitlines():
        text = text.strip()
        if _has_words(text):
            yield text


def translation_problems(package: str, *, locale: str = "zh_Hans") -> list[str]:
    """What keeps ``package``'s pages from being fully shown in ``locale``, in plain words.

    Looks at the package's own catalogues and the host's (a plugin may use the
    host's strings): a marked string with no translation, a translation identical
    to the English, a literal text in a template that is not marked at all.
    """
    root = package_root(package)
    translations = load_translations(dict.fromkeys(["crm_host", package]), locale)
    problems = []
    for message in sorted(extract_messages(root)):
        if message in ALLOWED_UNTRANSLATED:
            continue
        translated = translations.get(message)
        if not translated:
            problems.append(f"{package}: no {locale} translation for {message!r}")
        elif translated == message:
            problems.append(f"{package}: the {locale} translation of {message!r} is the English")
    for template in sorted(root.glob("templates/**/*.html")):
        for text in literal_texts(template.read_text(encoding="utf-8")):
            where = template.relative_to(root)
            problems.append(f"{package}: {where} shows {text!r} without _()")
    return problems
