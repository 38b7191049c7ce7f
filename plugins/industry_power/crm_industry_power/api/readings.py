"""Interval readings, load curves and metrics: ``/readings/import``, ``/accounts/<id>/…``."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from flask import current_app
from flask.views import MethodView

from crm_host.sdk import ValidationFailed, require
from crm_host.sdk.customers import ImportFileError
from crm_host.sdk.web import accepts_body
from crm_industry_power import figures, loadcurve, profiles, readings
from crm_industry_power import permissions as p
from crm_industry_power.api.blueprint import blp, current_session
from crm_industry_power.schemas import readings as s
from crm_industry_power.zones import company_timezone, timezone_named

#: The longest range one metrics request covers.
MAX_RANGE_DAYS = 366


@blp.route("/readings/import")
class ReadingsImport(MethodView):
    @accepts_body("import")
    @require(p.READINGS_IMPORT)
    @blp.arguments(s.ReadingsImportIn, location="form")
    @blp.arguments(s.ReadingsFileIn, location="files")
    @blp.response(200, s.ImportReportOut)
    def post(self, options: dict[str, Any], files: dict[str, Any]) -> readings.ImportReport:
        """Import interval readings (CSV: meter,timestamp,value) for many meters at once.

        The interval and unit are declared, never guessed. Refused rows and gaps come
        back with their line; good rows are stored; a second import changes nothing.
        """
        try:
            tz = timezone_named(options["timezone"])
        except ValueError as error:
            raise ValidationFailed(str(error), details={"timezone": [str(error)]}) from None
        upload = files["file"]
        limit = int(current_app.config.get("MAX_IMPORT_BYTES", 100 * 1024 * 1024))
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "readings.csv"
            upload.save(str(path))
            if path.stat().st_size > limit:
                raise ValidationFailed(
                    "the file is too large", details={"file": [f"At most {limit} bytes."]}
                )
            session = current_session()
            try:
                report = readings.import_file(
                    session,
                    path,
                    interval=options["interval"],
                    unit=options["unit"],
                    tz=tz,
                    fmt="csv",
                )
            except ImportFileError as error:
                raise ValidationFailed(str(error), details={"file": [str(error)]}) from None
        session.commit()
        return report


def _range(args: dict[str, Any]) -> tuple[Any, Any]:
    first, last = args["first"], args["last"]
    if last < first or (last - first).days >= MAX_RANGE_DAYS:
        raise ValidationFailed(
            "the range is not valid",
            details={"last": [f"On or after first, at most {MAX_RANGE_DAYS} days."]},
        )
    return first, last


@blp.route("/accounts/<id:account_id>/load-curve")
class LoadCurve(MethodView):
    @require(p.READINGS_READ)
    @blp.arguments(s.DayQuery, location="query")
    @blp.response(200, s.LoadCurveOut)
    def get(self, args: dict[str, Any], account_id: int) -> dict[str, Any]:
        """The account's daily load curve (日负荷曲线) in kW, with the day's metrics."""
        session = current_session()
        account = profiles.get_account(session, account_id)
        tz = company_timezone()
        curve = loadcurve.day_curve(session, account, args["day"], tz)
        if curve is None:
            return {
                "account_id": account.id,
                "day": args["day"],
                "interval": None,
                "points": [],
                "metrics": None,
                "display_unit": account.display_unit,
                "figures": [],
            }
        periods = loadcurve.periods_of(curve, account.tariff, tz)
        metrics = loadcurve.metrics(curve, account.tariff, account.contracted_kva, tz)
        return {
            "account_id": account.id,
            "day": curve.day,
            "interval": curve.interval,
            "points": [
                {"start": start, "kw": kw, "period": period}
                for start, kw, period in zip(curve.starts, curve.kw, periods, strict=True)
            ],
            "metrics": metrics,
            "display_unit": account.display_unit,
            "figures": figures.figures(metrics, account.display_unit),
        }


@blp.route("/accounts/<id:account_id>/metrics")
class Metrics(MethodView):
    @require(p.READINGS_READ)
    @blp.arguments(s.RangeQuery, location="query")
    @blp.response(200, s.SummaryOut)
    def get(self, args: dict[str, Any], account_id: int) -> loadcurve.PeriodSummary:
        """Metrics of every day in a range and their totals (maximum, load factor, TOU energy)."""
        session = current_session()
        account = profiles.get_account(session, account_id)
        first, last = _range(args)
        return loadcurve.summarise(session, account, first, last, company_timezone())


@blp.route("/accounts/<id:account_id>/typical-day")
class TypicalDay(MethodView):
    @require(p.READINGS_READ)
    @blp.arguments(s.RangeQuery, location="query")
    @blp.response(200, s.TypicalDayOut)
    def get(self, args: dict[str, Any], account_id: int) -> dict[str, Any]:
        """The account's typical day over a range: average kW of every interval."""
        session = current_session()
        account = profiles.get_account(session, account_id)
        first, last = _range(args)
        curves = loadcurve.account_curves(session, account, first, last, company_timezone())
        kw = loadcurve.typical_day(curves)
        interval = loadcurve.typical_interval(curves)
        return {
            "account_id": account.id,
            "first": first,
            "last": last,
            "days": len(curves),
            "interval": interval,
            "kw": kw,
        }


@blp.route("/accounts/<id:account_id>/daily-energy")
class DailyEnergy(MethodView):
    @require(p.READINGS_READ)
    @blp.arguments(s.RangeQuery, location="query")
    @blp.response(200, s.DayTotalOut(many=True))
    def get(self, args: dict[str, Any], account_id: int) -> list[loadcurve.DayTotal]:
        """Energy by period and maximum demand of every day in a range (a monthly profile)."""
        session = current_session()
        account = profiles.get_account(session, account_id)
        first, last = _range(args)
        return loadcurve.monthly_profile(session, account, first, last, company_timezone())
