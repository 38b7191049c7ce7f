"""Console pages of the printable monthly report: HTML to read and print, and PDF."""

from __future__ import annotations

import re
from datetime import date

from flask import abort, render_template, request, url_for
from werkzeug.wrappers import Response

from crm_host.sdk import Customer, ValidationFailed, get_host, utcnow
from crm_host.sdk.web import page
from crm_industry_power import permissions as p
from crm_industry_power import report
from crm_industry_power.bills import parse_month
from crm_industry_power.views.blueprint import bp
from crm_industry_power.views.labels import labels
from crm_industry_power.zones import company_timezone


def _month() -> date:
    """The ``month`` argument (``YYYY-MM``), or this month when it is missing or bad."""
    try:
        return parse_month(request.args.get("month", ""))
    except ValidationFailed:  # bad input shows this month rather than an error page
        return utcnow().astimezone(company_timezone()).date().replace(day=1)


def render(customer: Customer, month: date, *, pdf_url: str | None = None) -> str:
    """The report's HTML (also what the PDF is made of)."""
    data = report.build(get_host().session, customer, month, company_timezone())
    return render_template("power/report.html", report=data, pdf_url=pdf_url, **labels())


def _customer(customer_id: int) -> Customer:
    customer = get_host().session.get(Customer, customer_id)
    if customer is None:
        abort(404)
    return customer


@bp.route("/customers/<int:customer_id>/report")
@page(p.READINGS_READ)
def customer_report(customer_id: int) -> str:
    """The customer's monthly report as a printable page."""
    month = _month()
    pdf_url = url_for(".customer_report_pdf", customer_id=customer_id, month=f"{month:%Y-%m}")
    return render(_customer(customer_id), month, pdf_url=pdf_url)


@bp.route("/customers/<int:customer_id>/report.pdf")
@page(p.READINGS_READ)
def customer_report_pdf(customer_id: int) -> Response:
    """The same report as PDF."""
    customer = _customer(customer_id)
    month = _month()
    body = report.pdf(render(customer, month), base_url=request.url_root)
    code = re.sub(r"[^A-Za-z0-9_-]", "_", customer.code)
    name = f"power-report-{code}-{month:%Y-%m}.pdf"
    return Response(
        body,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )
