"""``crm power report``: a customer's monthly report to an HTML or PDF file."""

from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from crm_host.sdk import CrmError, Customer, fail, get_host
from crm_industry_power import bills, report
from crm_industry_power.views import report as report_page


@click.command("report")
@click.argument("customer_code")
@click.option("--month", required=True, help="YYYY-MM")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="A .pdf or .html file to write.",
)
@with_appcontext
def report_command(customer_code: str, month: str, out: Path) -> None:
    """Write CUSTOMER_CODE's report of MONTH: load curve, daily metrics and advice."""
    if out.suffix.lower() not in (".pdf", ".html"):
        raise click.BadParameter("the file must end in .pdf or .html", param_hint="--out")
    try:
        first = bills.parse_month(month)
    except CrmError as error:
        raise fail(error) from None
    session = get_host().session
    customer = session.scalar(sa.select(Customer).where(Customer.code == customer_code))
    if customer is None:
        raise click.ClickException(f"no customer {customer_code}")
    # Templates need a request for the console's context (language, links).
    with current_app.test_request_context():
        html = report_page.render(customer, first)
    if out.suffix.lower() == ".pdf":
        out.write_bytes(report.pdf(html))
    else:
        out.write_text(html, encoding="utf-8")
    click.echo(f"wrote {out}")
