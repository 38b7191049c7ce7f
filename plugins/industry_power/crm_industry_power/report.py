"""The printable monthly report of a customer: per account, the month's typical-day
load curve (inline SVG, so print and PDF need no script), the daily metrics, and the
advice the rules give on that month with the estimated saving on the tariff.

The data is gathered here; ``templates/power/report.html`` lays it out; WeasyPrint
turns that HTML into PDF — the same page, so the two never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from markupsafe import Markup
from sqlalchemy.orm import Session

from crm_host.sdk import Customer
from crm_industry_power import advice, figures, loadcurve
from crm_industry_power.bills import month_bounds
from crm_industry_power.models import Account

#: Size of the chart in CSS pixels; the plot leaves a margin for the axis labels.
WIDTH, HEIGHT, MARGIN = 680, 220, 44


@dataclass
class AccountReport:
    """One account's month: its summary, typical-day chart and the advice on it."""

    account: Account
    summary: loadcurve.PeriodSummary
    chart: Markup
    findings: list[advice.Finding]

    @property
    def daily_figures(self) -> list[tuple[date, list[figures.Figure]]]:
        """Every day's metric set in the account's unit: the set every surface shows."""
        unit = self.account.display_unit
        return [(m.day, figures.figures(m, unit)) for m in self.summary.daily]


@dataclass
class MonthReport:
    """A customer's month over all their accounts."""

    customer: Customer
    month: date
    first: date
    last: date
    accounts: list[AccountReport]

    @property
    def saving(self) -> dict[str, Decimal]:
        """Estimated monthly savings of all the advice, per currency."""
        totals: dict[str, Decimal] = {}
        for item in self.accounts:
            for finding in item.findings:
                if finding.monthly_saving is not None and finding.currency:
                    totals[finding.currency] = (
                        totals.get(finding.currency, Decimal(0)) + finding.monthly_saving
                    )
        return totals


def svg_curve(values: list[float | None], interval: int | None, unit: str = "kW") -> Markup:
    """A line chart of one day's values as inline SVG; gaps break the line.

    The y axis runs from 0 to the largest value; the x axis marks every 6 hours.
    """
    plot_w, plot_h = WIDTH - 2 * MARGIN, HEIGHT - 2 * MARGIN
    present = [v for v in values if v is not None]
    top = max(present) if present else 0.0
    scale = plot_h / top if top > 0 else 0.0
    step = plot_w / max(len(values) - 1, 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="load-curve" width="{WIDTH}" '
        f'height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img">',
        f'<line x1="{MARGIN}" y1="{HEIGHT - MARGIN}" x2="{WIDTH - MARGIN}" '
        f'y2="{HEIGHT - MARGIN}" stroke="#888"/>',
        f'<line x1="{MARGIN}" y1="{MARGIN}" x2="{MARGIN}" y2="{HEIGHT - MARGIN}" stroke="#888"/>',
        f'<text x="{MARGIN - 4}" y="{MARGIN + 4}" text-anchor="end" font-size="10">'
        f"{top:.0f}</text>",
        f'<text x="{MARGIN - 4}" y="{HEIGHT - MARGIN}" text-anchor="end" font-size="10">0</text>',
        f'<text x="{MARGIN - 4}" y="{MARGIN - 10}" text-anchor="end" font-size="10">{unit}</text>',
    ]
    if interval:
        per_hour = 60 / interval
        for hour in range(0, 25, 6):
            x = MARGIN + min(hour * per_hour * step, plot_w)
            parts.append(
                f'<text x="{x:.1f}" y="{HEIGHT - MARGIN + 14}" text-anchor="middle" '
                f'font-size="10">{hour:02d}:00</text>'
            )
    runs: list[list[str]] = [[]]
    for index, value in enumerate(values):
        if value is None:
            runs.append([])
            continue
        x, y = MARGIN + index * step, HEIGHT - MARGIN - value * scale
        runs[-1].append(f"{x:.1f},{y:.1f}")
    for run in runs:
        if run:
            parts.append(
                f'<polyline fill="none" stroke="#1f6feb" stroke-width="1.5" '
                f'points="{" ".join(run)}"/>'
            )
    parts.append("</svg>")
    # Only numbers and the unit go in: nothing a user typed.
    return Markup("".join(parts))


def build(session: Session, customer: Customer, month: date, tz: ZoneInfo) -> MonthReport:
    """The customer's report for the month of ``month`` (any day in it)."""
    first, last = month_bounds(month)
    items = []
    for account in session.scalars(
        sa.select(Account).where(Account.customer_id == customer.id).order_by(Account.number)
    ):
        summary = loadcurve.summarise(session, account, first, last, tz)
        curves = loadcurve.account_curves(session, account, first, last, tz)
        chart = svg_curve(loadcurve.typical_day(curves), loadcurve.typical_interval(curves))
        items.append(AccountReport(account, summary, chart, advice.evaluate(account, summary)))
    return MonthReport(customer, first, first, last, items)


def pdf(html: str, base_url: str | None = None) -> bytes:
    """The report's HTML as PDF (WeasyPrint: HTML and CSS in, paged PDF out)."""
    # Imported here: WeasyPrint loads Pango and fonts, which only a report needs.
    import weasyprint

    return weasyprint.HTML(string=html, base_url=base_url).write_pdf()
