"""Translation helpers that work whether or not the application has Flask-Babel set up.

The host reads this plugin's ``translations/<locale>/LC_MESSAGES/messages.po`` and
installs ``_`` in Jinja. Until an application has Babel (command-line tools, an app
built without it) the strings fall back to English instead of failing.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, has_app_context
from flask_babel import gettext
from flask_babel.speaklater import LazyString


def _has_babel() -> bool:
    return has_app_context() and "babel" in current_app.extensions


def translate(text: str, **variables: Any) -> str:
    """``text`` in the request's language (English when Babel is not set up)."""
    if _has_babel():
        return gettext(text, **variables)
    return text % variables if variables else text


def _l(text: str, **variables: Any) -> LazyString:
    """A label translated when it is shown (menu entries, KPIs, panel titles)."""
    return LazyString(translate, text, **variables)
