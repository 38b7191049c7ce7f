"""The console's global search page: the header box's results, grouped by type."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from crm_host.core.errors import ValidationFailed
from crm_host.core.host import get_host
from crm_host.core.objects import search

#: Hits shown per type on the page; the total says how many more there are.
PAGE_PER_TYPE = 10


def render(raw_q: str) -> tuple[str, int] | str:
    """The results page for ``raw_q``; an empty or over-long query is a 400 saying so."""
    try:
        results = search.search(
            get_host().session, current_user.user, raw_q, per_type=PAGE_PER_TYPE
        )
    except ValidationFailed as error:
        message = "; ".join(error.details.get("q", [str(error)]))
        page = render_template("crm/search.html", search_q=raw_q[:200], results=[], error=message)
        return page, 400
    return render_template("crm/search.html", search_q=raw_q.strip(), results=results, error=None)
