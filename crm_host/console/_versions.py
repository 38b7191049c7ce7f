"""Edit forms that know which version of a record they were filled from.

A console form for a versioned record carries the version it was read at in a
hidden ``version`` field (``{{ version_input(obj) }}`` in the template). When the
form comes back, :func:`stale_form` compares it with the record as it is now: if
someone else saved the record meanwhile, the view writes nothing and renders the
form again with what the user typed and the message. The form then carries the
current version, so saving again is a deliberate overwrite.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from markupsafe import Markup, escape
from werkzeug.datastructures import MultiDict

from crm_host.core.errors import Conflict
from crm_host.core.versioning import VERSION_COLUMN

#: The answer a view gives with the re-rendered form (409 Conflict).
CONFLICT_STATUS = 409


def version_input(obj: Any) -> Markup:
    """The hidden field holding ``obj``'s current version (empty for a new record)."""
    version = getattr(obj, VERSION_COLUMN, None) if obj is not None else None
    value = "" if version is None else str(version)
    return Markup('<input type="hidden" name="{}" value="{}">').format(
        VERSION_COLUMN, escape(value)
    )


def stale_form(obj: Any, form: MultiDict[str, str]) -> str | None:
    """The message to show when ``form`` was filled from an older version of ``obj``.

    ``None`` when the versions agree, or when the form carries no version (a form
    rendered before versions existed): such a post is treated as before.
    """
    posted = (form.get(VERSION_COLUMN) or "").strip()
    if not posted:
        return None
    if posted.isdigit() and int(posted) == getattr(obj, VERSION_COLUMN):
        return None
    return _(
        "Someone else changed this record while you were editing it. Nothing was saved; "
        "your entries are kept below. Check the current record, then save again to "
        "keep your version."
    )


def check_form_version(obj: Any, form: MultiDict[str, str]) -> None:
    """Raise :class:`Conflict` with the :func:`stale_form` message when ``form`` is stale.

    For action forms (a status button, a stage menu) whose view already turns a
    :class:`CrmError` into a flashed message and writes nothing.
    """
    message = stale_form(obj, form)
    if message:
        raise Conflict(message)
