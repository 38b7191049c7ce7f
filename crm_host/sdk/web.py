"""The plugin SDK's web pieces: shared API fields, pagination, ETags and request
limits for the REST API; menus, panels, page access, charts and form versions for the
console.

Part of the SDK's stability promise (see :mod:`crm_host.sdk`): a name in ``__all__``
changes only by deprecation. Domain modules of a plugin never import this module.
"""

from __future__ import annotations

from crm_host.console._access import allowed, page
from crm_host.console._charts import Chart, chart_json
from crm_host.console._versions import CONFLICT_STATUS, check_form_version, stale_form
from crm_host.core.fields import MAX_ID, Id, Masked
from crm_host.core.pagination import PageArgs, fetch_page, integer_key, newest_first, where_equal
from crm_host.web._etags import check_if_match, documents_etag, documents_if_match, send_etag
from crm_host.web._limits import accepts_body
from crm_host.web._menu import MenuItem, Panel

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
