"""``crm power …``: readings, curves, advice, bills and faults from the shell."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from crm_host.sdk import CrmError, fail, get_host, utcnow
from crm_host.sdk.customers import ImportFileError
from crm_industry_power import advice, bills, classify, faults, loadcurve, readings
from crm_industry_power.models import AREAS, Account
from crm_industry_power.storage import FIRST_YEAR, INTERVALS, LAST_YEAR
from crm_industry_power.zones import company_timezone, timezone_named


def _account(number: str) -> Account:
    account = get_host().session.scalar(sa.select(Account).where(Account.number == number))
    if account is None:
        raise click.ClickException(f"no account {number}")
    return account


def _day(value: str | None) -> date:
    if value is None:
        return utcnow().astimezone(company_timezone()).date()
    try:
        day = datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date as YYYY-MM-DD") from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise click.BadParameter(f"{value} is out of range ({FIRST_YEAR}–{LAST_YEAR})")
    return day


def _fmt(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def register(cli: AppGroup) -> None:
    """Add the power commands to the ``crm power`` group the host made."""
    from crm_industry_power import cli_guarantees, cli_inspections

    cli_inspections.register(cli)
    cli_guarantees.register(cli)
    register_report(cli)
    register_demo(cli)

    @cli.command("import-readings")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option(
        "--interval",
        required=True,
        type=click.Choice([str(i) for i in INTERVALS]),
        help="Minutes per reading.",
    )
    @click.option(
        "--unit",
        required=True,
        type=click.Choice(readings.UNITS),
        help="kWh: energy over the interval; kW: average demand over it.",
    )
    @click.option(
        "--timezone",
        "zone",
        default=None,
        help="Zone of timestamps without an offset (default: the company's).",
    )
    def import_readings(file: Path, interval: str, unit: str, zone: str | None) -> None:
        """Import interval readings from FILE (CSV: meter,timestamp,value) in one transaction.

        For big files, `crm import power.readings FILE -o interval=15 -o unit=kWh` runs
        the same checks as a job of batches that each commit and resume after a crash.
        """
        try:
            tz = timezone_named(zone)
        except ValueError as error:
            raise click.BadParameter(str(error), param_hint="--timezone") from None
        session = get_host().session
        try:
            report = readings.import_file(session, file, interval=int(interval), unit=unit, tz=tz)
            session.commit()
        except ImportFileError as error:
            session.rollback()
            raise click.ClickException(str(error)) from None
        except CrmError as error:
            session.rollback()
            raise fail(error) from None
        for problem in report.rejects:
            click.echo(f"refused {problem}")
        for problem in report.gaps:
            click.echo(f"gap     {problem}")
        click.echo(
            f"{report.rows} rows: {report.new} new, {report.changed} changed, "
            f"{report.unchanged} unchanged readings; {len(report.rejects)} refused, "
            f"{len(report.gaps)} gaps"
        )

    @cli.command("load-curve")
    @click.argument("account_number")
    @click.option("--day", default=None, help="YYYY-MM-DD (default: today).")
    def load_curve(account_number: str, day: str | None) -> None:
        """The daily load curve of ACCOUNT_NUMBER in kW, then the day's metrics."""
        account = _account(account_number)
        tz = company_timezone()
        curve = loadcurve.day_curve(get_host().session, account, _day(day), tz)
        if curve is None:
            raise click.ClickException(f"no readings for {account_number} on {_day(day)}")
        periods = loadcurve.periods_of(curve, account.tariff, tz)
        for start, kw, period in zip(curve.starts, curve.kw, periods, strict=True):
            click.echo(f"{start.astimezone(tz):%H:%M}\t{_fmt(kw)}\t{period}")
        m = loadcurve.metrics(curve, account.tariff, account.contracted_kva, tz)
        click.echo(
            f"max {_fmt(m.max_kw)} kW, min {_fmt(m.min_kw)} kW, avg {_fmt(m.avg_kw)} kW, "
            f"load factor {_fmt(m.load_factor, 4)}, peak-valley rate {_fmt(m.peak_valley_rate, 4)}, "
            f"utilisation {_fmt(m.utilisation, 4)}, energy {m.energy_kwh} kWh"
            + (f", cost {m.cost} {m.currency}" if m.cost is not None else "")
        )

    @cli.command("advice")
    @click.argument("account_number", required=False)
    @click.option("--last-day", default=None, help="End of the 30-day window (default: today).")
    def advice_command(account_number: str | None, last_day: str | None) -> None:
        """Recompute and show advice for ACCOUNT_NUMBER (every account without one)."""
        session = get_host().session
        tz = company_timezone()
        last = _day(last_day)
        accounts = (
            [_account(account_number)]
            if account_number
            else list(session.scalars(sa.select(Account).order_by(Account.number)))
        )
        shown = 0
        for account in accounts:
            for row in advice.refresh(session, account, last, tz):
                saving = f"{row.monthly_saving} {row.currency}/month" if row.monthly_saving else "-"
                click.echo(f"{account.number}\t{row.rule}\t{saving}\t{row.figures}")
                shown += 1
        session.commit()
        if not shown:
            click.echo("no advice")

    @cli.command("bill")
    @click.argument("month")
    def bill_command(month: str) -> None:
        """Compute every account's bill for MONTH (YYYY-MM)."""
        session = get_host().session
        try:
            written = bills.compute_all(session, bills.parse_month(month), company_timezone())
        except CrmError as error:
            raise fail(error) from None
        session.commit()
        click.echo(f"{written} bills computed for {month}")

    @cli.command("classify")
    def classify_command() -> None:
        """Recompute every account's service level (key, important, ordinary)."""
        session = get_host().session
        tz = company_timezone()
        counts = classify.classify_all(session, utcnow().astimezone(tz).date(), tz)
        session.commit()
        click.echo(", ".join(f"{count} {level}" for level, count in counts.items()))

    @cli.command("report-fault")
    @click.argument("account_number")
    @click.argument("description")
    @click.option("--phone", default=None, help="Who to call back.")
    @click.option(
        "--area",
        type=click.Choice(AREAS),
        default="urban",
        show_default=True,
        help="Sets how soon a crew must be on site.",
    )
    def report_fault(account_number: str, description: str, phone: str | None, area: str) -> None:
        """Report a fault at ACCOUNT_NUMBER's service point (a ticket when service is installed)."""
        session = get_host().session
        account = _account(account_number)
        try:
            fault = faults.report_fault(
                session,
                account,
                {"description": description, "contact_phone": phone, "area": area},
                settings=current_app.config,
            )
            session.commit()
        except CrmError as error:
            session.rollback()
            raise fail(error) from None
        due = faults.arrival(session, fault)["due_at"]
        if fault.ticket_id is not None:
            click.echo(f"fault {fault.id} reported; service ticket #{fault.ticket_id}")
        else:
            click.echo(f"fault {fault.id} recorded (the service plugin is not installed)")
        click.echo(f"a crew is due on site by {due.astimezone(company_timezone()):%Y-%m-%d %H:%M}")

    @cli.command("arrive")
    @click.argument("fault_id", type=click.IntRange(1, 2**31 - 1))
    def arrive(fault_id: int) -> None:
        """The crew checked in at FAULT_ID: stop its arrival clock."""
        session = get_host().session
        try:
            fault = faults.check_in(session, faults.get_fault(session, fault_id))
            session.commit()
        except CrmError as error:
            session.rollback()
            raise fail(error) from None
        state = faults.arrival(session, fault)
        click.echo(f"fault {fault_id}: crew on site, {'late' if state['breached'] else 'in time'}")


def register_report(cli: AppGroup) -> None:
    """``crm power report``: a customer's monthly report to an HTML or PDF file."""

    @cli.command("report")
    @click.argument("customer_code")
    @click.option("--month", required=True, help="YYYY-MM")
    @click.option(
        "--out",
        "out",
        required=True,
        type=click.Path(dir_okay=False, path_type=Path),
        help="A .pdf or .html file to write.",
    )
    def report_command(customer_code: str, month: str, out: Path) -> None:
        """Write CUSTOMER_CODE's report of MONTH: load curve, daily metrics and advice."""
        from crm_host.sdk import Customer
        from crm_industry_power import report, views_report

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
            html = views_report.render(customer, first)
        if out.suffix.lower() == ".pdf":
            out.write_bytes(report.pdf(html))
        else:
            out.write_text(html, encoding="utf-8")
        click.echo(f"wrote {out}")


def register_demo(cli: AppGroup) -> None:
    """``crm power demo``: demo accounts with synthetic load shapes of each category."""

    @cli.command("demo")
    @click.option("--days", type=click.IntRange(1, 366), default=60, show_default=True)
    @click.option("--last-day", default=None, help="YYYY-MM-DD (default: yesterday).")
    def demo_command(days: int, last_day: str | None) -> None:
        """Attach demo accounts to customers and store DAYS days of 15-minute readings."""
        from crm_industry_power import demo

        tz = company_timezone()
        last = _day(last_day) if last_day else _day(None) - timedelta(days=1)
        session = get_host().session
        result = demo.seed(session, last, days, tz)
        if result is None:
            raise click.ClickException(
                "not enough customers without power accounts: crm demo first"
            )
        session.commit()
        click.echo(
            f"{len(demo.ACCOUNTS)} demo accounts; {result.new} new, {result.changed} changed, "
            f"{result.unchanged} unchanged readings"
        )
