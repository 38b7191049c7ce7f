"""``crm power import-readings`` and ``crm power load-curve``: interval readings in,
load curves and their metrics out."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from crm_host.sdk import CrmError, ValidationFailed, fail, get_host
from crm_host.sdk.customers import ImportFileError
from crm_industry_power import figures, loadcurve, readings
from crm_industry_power.cli.common import account_by_number, fmt, parse_day
from crm_industry_power.readings.units import in_display_unit
from crm_industry_power.storage import INTERVALS
from crm_industry_power.zones import company_timezone, timezone_named


@click.command("import-readings")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--interval",
    required=True,
    type=click.Choice([str(i) for i in INTERVALS]),
    help="Minutes per reading.",
)
@click.option(
    "--unit",
    default=None,
    type=click.Choice(readings.UNITS),
    help="kWh, MWh, kvarh: energy over the interval; kW, MW, kvar: average demand over "
    "it (or say it in the value header: value_MWh).",
)
@click.option(
    "--timezone",
    "zone",
    default=None,
    help="Zone of timestamps without an offset (default: the company's).",
)
@with_appcontext
def import_readings(file: Path, interval: str, unit: str | None, zone: str | None) -> None:
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
    except ValidationFailed as error:
        session.rollback()
        if unit is None and "unit" in error.details:
            # Neither the option nor the header says it: a usage error, as a missing option.
            raise click.UsageError(
                "Missing option '--unit' (or say the unit in the value header: value_MWh)."
            ) from None
        raise fail(error) from None
    except CrmError as error:
        session.rollback()
        raise fail(error) from None
    for problem in report.rejects:
        click.echo(f"refused {problem}")
    for problem in report.gaps:
        click.echo(f"gap     {problem}")
    for problem in report.overloads:
        click.echo(f"notice  {problem}")
    click.echo(
        f"{report.rows} rows: {report.new} new, {report.changed} changed, "
        f"{report.unchanged} unchanged readings; {len(report.rejects)} refused, "
        f"{len(report.gaps)} gaps"
        + (f", {len(report.overloads)} overloads" if report.overloads else "")
    )


@click.command("load-curve")
@click.argument("account_number")
@click.option("--day", default=None, help="YYYY-MM-DD (default: today).")
@with_appcontext
def load_curve(account_number: str, day: str | None) -> None:
    """The daily load curve of ACCOUNT_NUMBER in its unit (kW or MW), then the day's
    metric set: the same metrics the API, the console and the monthly report show."""
    account = account_by_number(account_number)
    tz = company_timezone()
    curve = loadcurve.day_curve(get_host().session, account, parse_day(day), tz)
    if curve is None:
        raise click.ClickException(f"no readings for {account_number} on {parse_day(day)}")
    periods = loadcurve.periods_of(curve, account.tariff, tz)
    unit = account.display_unit
    for start, kw, period in zip(curve.starts, curve.kw, periods, strict=True):
        click.echo(f"{start.astimezone(tz):%H:%M}\t{fmt(in_display_unit(kw, unit))}\t{period}")
    m = loadcurve.metrics(curve, account.tariff, account.contracted_kva, tz)
    click.echo(
        figures.line(m, unit) + (f", cost {m.cost} {m.currency}" if m.cost is not None else "")
    )
