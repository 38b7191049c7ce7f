"""Personalised message text, rendered in Jinja's sandbox.

Campaign authors are staff, not programmers with server access: the sandbox keeps a
template from reaching Python internals, and the context is a fixed set of plain
values, so a template can only print them.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jinja2 import Template, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from crm_host.errors import ValidationFailed

#: The placeholders a campaign may use, with sample values for the check.
PLACEHOLDERS: dict[str, str] = {
    "name": "王芳",
    "code": "C0001",
    "city": "苏州",
    "region": "江苏",
    "unsubscribe_url": "https://example.com/u/token",
}

_ENV = SandboxedEnvironment(autoescape=False, keep_trailing_newline=True)


def check(text: str, field: str) -> None:
    """Raise :class:`ValidationFailed` naming ``field`` when ``text`` is not a usable template."""
    try:
        _ENV.from_string(text).render(PLACEHOLDERS)
    except TemplateError as error:
        raise ValidationFailed(
            "the message template is not valid", details={field: [str(error)[:300]]}
        ) from None


@lru_cache(maxsize=256)
def _compiled(text: str) -> Template:
    # A send renders the same subject and body for every recipient: compiling them
    # once instead of per message takes Jinja's compiler out of the send loop.
    return _ENV.from_string(text)


def render(text: str, context: dict[str, Any]) -> str:
    """``text`` with the placeholders filled in from ``context``."""
    return _compiled(text).render({k: context.get(k) or "" for k in PLACEHOLDERS})
