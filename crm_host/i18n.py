"""Languages of the console: English and Simplified Chinese, per-plugin catalogues.

Catalogues are plain gettext ``.po`` files under ``<package>/translations/<locale>/
LC_MESSAGES/*.po`` — the host's and every loaded plugin's. They are read as
``.po`` (no compiled ``.mo`` to keep in step) once per locale and process, and merged
so a plugin's strings sit beside the host's.

The locale is the user's choice (kept on the user), else the browser's
``Accept-Language``, else English. Dates are shown in the company's timezone.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import Babel, Domain, get_locale, gettext
from flask_login import current_user

#: Locales the console speaks, as Babel identifiers, with their own names.
LOCALES: dict[str, str] = {"en": "English", "zh_Hans": "简体中文"}
DEFAULT_LOCALE = "en"
#: ``Accept-Language`` tags mapped onto a supported locale.
_BROWSER_TAGS = {
    "en": "en",
    "zh": "zh_Hans",
    "zh-cn": "zh_Hans",
    "zh-hans": "zh_Hans",
    "zh-sg": "zh_Hans",
}


def catalogue_paths(package: str, locale: str = "zh_Hans") -> list[Path]:
    """The ``.po`` catalogues a package keeps for ``locale`` (one per area of its pages)."""
    try:
        root = Path(str(resources.files(package)))
    except TypeError:  # a plugin that is a single module has no catalogue folder
        return []
    folder = root / "translations" / locale / "LC_MESSAGES"
    return sorted(folder.glob("*.po")) if folder.is_dir() else []


def load_catalogue(paths: Iterable[Path], locale: str) -> Translations:
    """Merge the ``.po`` catalogues of ``locale`` found at ``paths`` into one.

    Fuzzy entries are skipped, as gettext's compiler does: a guess is not a translation.
    """
    merged = Translations()
    for path in paths:
        if not path.is_file():
            continue
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=locale)
        buffer = io.BytesIO()
        write_mo(buffer, catalog, use_fuzzy=False)
        buffer.seek(0)
        merged.merge(Translations(fp=buffer))
    return merged


class PackageDomain(Domain):
    """A Flask-Babel domain reading the ``.po`` catalogues of the host and its plugins."""

    def __init__(self, packages: list[str]) -> None:
        super().__init__(domain="messages")
        self.packages = packages
        self._cache: dict[str, Translations] = {}

    def get_translations(self) -> Translations:  # type: ignore[override]
        locale = str(get_locale() or DEFAULT_LOCALE)
        if locale not in self._cache:
            paths = [path for package in self.packages for path in catalogue_paths(package, locale)]
            self._cache[locale] = load_catalogue(paths, locale)
        return self._cache[locale]


def select_locale() -> str:
    """The locale of this request: the user's choice, the session's, the browser's.

    Outside a request (jobs, commands) it is ``CRM_DEFAULT_LOCALE`` (English unless set).
    """
    if not has_request_context():
        configured = current_app.config.get("DEFAULT_LOCALE")
        return configured if configured in LOCALES else DEFAULT_LOCALE
    chosen = g.get("crm_locale")
    if chosen:
        return chosen
    user = getattr(current_user, "user", None) if current_user else None
    if user is not None and user.locale in LOCALES:
        return user.locale
    if session.get("locale") in LOCALES:
        return session["locale"]
    return browser_locale()


def browser_locale() -> str:
    """The supported locale the browser prefers, or English."""
    for tag, _quality in request.accept_languages:
        locale = _BROWSER_TAGS.get(tag.lower()) or _BROWSER_TAGS.get(tag.split("-")[0].lower())
        if locale:
            return locale
    return DEFAULT_LOCALE


def select_timezone() -> str:
    """Times are shown in the company's timezone."""
    return str(current_app.config.get("TIMEZONE", "UTC"))


def init_app(app: Flask, plugin_packages: list[str]) -> None:
    """Set up Flask-Babel for the host's and the loaded plugins' catalogues."""
    babel = Babel()
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    # Flask-Babel's gettext (Python and Jinja alike) asks the instance for its domain.
    babel.domain_instance = PackageDomain(["crm_host", *plugin_packages])  # type: ignore[misc]
    # Messages made at run time (a service's per-field errors): looked up, never %-formatted.
    app.jinja_env.filters["t"] = lambda message: gettext(str(message))
    app.context_processor(_locale_context)


def _locale_context() -> dict[str, Any]:
    locale = str(get_locale() or DEFAULT_LOCALE)
    return {
        "crm_locale": locale,
        "crm_locales": LOCALES,
        "crm_html_lang": Locale.parse(locale).language + ("-Hans" if locale == "zh_Hans" else ""),
    }
