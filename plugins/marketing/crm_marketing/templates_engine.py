"""Personalised message text, rendered in Jinja's sandbox.

Campaign authors are staff, not programmers with server access: the sandbox keeps a
template from reaching Python internals, and the context is a fixed set of plain
values, so a template can only print them — and call ``track(url)``, which gives the
recipient's signed tracking link to an http(s) address (see
:mod:`crm_marketing.tracking`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Template, TemplateError, TemplateRuntimeError

from crm_host.sdk import ValidationFailed
from crm_marketing.template_sandbox import BoundedEnvironment, render_bounded


def trackable(url: Any) -> str:
    """``url`` when it is an absolute http(s) address; a template error otherwise, so
    a tracked link can never send a recipient to ``javascript:`` or a local path."""
    text = str(url or "").strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(text) > 2000:
        raise TemplateRuntimeError(f"track() takes an http(s) address, not {text[:100]!r}")
    return text


def _sample_track(url: Any) -> str:
    return "https://example.com/l/marketing.click/token" if trackable(url) else ""


#: The placeholders a campaign may use, with sample values for the check.
PLACEHOLDERS: dict[str, Any] = {
    "name": "王芳",
    "code": "C0001",
    "city": "苏州",
    "region": "江苏",
    "unsubscribe_url": "https://example.com/u/token",
    "track": _sample_track,
}
#: Without a recipient (a preview), ``track`` leaves the address as it is.
UNTRACKED: Callable[[Any], str] = trackable

#: Bounded (see :mod:`crm_marketing.template_sandbox`): a template cannot ask for
#: unbounded output, strings, ranges or loops.
_ENV = BoundedEnvironment(autoescape=False, keep_trailing_newline=True)


def check(text: str, field: str) -> None:
    """Raise :class:`ValidationFailed` naming ``field`` when ``text`` is not a usable
    template: it does not compile, or its trial render against the sample values fails
    or passes a bound of the sandbox."""
    try:
        render_bounded(_ENV.from_string(text), PLACEHOLDERS)
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
    values = {k: context.get(k) or "" for k in PLACEHOLDERS}
    values["track"] = context.get("track") or UNTRACKED
    return render_bounded(_compiled(text), values)
