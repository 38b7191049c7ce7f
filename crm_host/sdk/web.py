"""The plugin SDK's web pieces: shared API fields, pagination, ETags and request
limits for the REST API; menus, panels, page access, charts and form versions for the
console.

Part of the SDK's stability promise (see :mod:`crm_host.sdk`): a name in ``__all__``
changes only by deprecation. Domain modules of a plugin never import this module.
"""

from __future__ import annotations

from crm_host.api.fields import MAX_ID, Id, Masked
from crm_host.api.pagination import (
    PageArgs,
    fetch_page,
    integer_key,
    newest_first,
    where_equal,
)
from crm_host.console.access import allowed, page
from crm_host.console.charts import Chart, chart_json
from crm_host.console.versions import CONFLICT_STATUS, check_form_version, stale_form
from crm_host.web.etags import (
    check_if_match,
    documents_etag,
    documents_if_match,
    send_etag,
)
from crm_host.web.limits import accepts_body
from crm_host.web.menu import MenuItem, Panel

__all__ = [
    # API fields: ids, masked sensitive values
    "Id",
    "MAX_ID",
    "Masked",
    # Pagination
    "PageArgs",
    "fetch_page",
    "integer_key",
    "newest_first",
    "where_equal",
    # ETags and request limits
    "check_if_match",
    "documents_etag",
    "documents_if_match",
    "send_etag",
    "accepts_body",
    # Console: menus and panels, page access, charts, form versions
    "MenuItem",
    "Panel",
    "allowed",
    "page",
    "Chart",
    "chart_json",
    "CONFLICT_STATUS",
    "check_form_version",
    "stale_form",
]
