"""``GET /api/v1/power/customers/<id>/report``: the printable monthly report, as PDF or
HTML, for systems that file or mail it (the console and ``crm power report`` make the
same document)."""

from __future__ import annotations

import re
from typing import Any

from flask import request
from flask.views import MethodView
from werkzeug.wrappers import Response

from crm_host.sdk import get_host, require
from crm_host.sdk.customers import customer_service as customers
from crm_industry_power import permissions as p
from crm_industry_power import report
from crm_industry_power.api.blueprint import blp
from crm_industry_power.bills import parse_month
from crm_industry_power.schemas import bills as s
from crm_industry_power.views import report as report_page

MIMETYPES = {"pdf": "application/pdf", "html": "text/html; charset=utf-8"}


@blp.route("/customers/<id:customer_id>/report")
class CustomerReport(MethodView):
    @require(p.READINGS_READ)
    @blp.arguments(s.ReportQuery, location="query")
    @blp.response(200, content_type="application/pdf")
    @blp.alt_response(200, content_type="text/html", description="The same report as HTML")
    def get(self, args: dict[str, Any], customer_id: int) -> Response:
        """The customer's monthly report (load curves, daily metrics, advice) as PDF or HTML."""
        customer = customers.get_customer(get_host().session, customer_id)
        month = parse_month(args["month"])
        html = report_page.render(customer, month)
        fmt = args["format"]
        body: str | bytes = report.pdf(html, base_url=request.url_root) if fmt == "pdf" else html
        code = re.sub(r"[^A-Za-z0-9_-]", "_", customer.code)
        name = f"power-report-{code}-{month:%Y-%m}.{fmt}"
        return Response(
            body,
            mimetype=MIMETYPES[fmt],
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
