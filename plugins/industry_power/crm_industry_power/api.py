"""The power REST API, mounted by the host under ``/api/v1/power``.

Every view declares its permission with the host's ``require``. Bad input is a 4xx
naming the field: marshmallow checks types and limits, the services the rules.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy.orm import Session

from crm_host.sdk import ValidationFailed, get_host, require, utcnow
from crm_host.sdk.customers import ImportFileError
from crm_host.sdk.web import (
    accepts_body,
    check_if_match,
    documents_etag,
    documents_if_match,
    send_etag,
)
from crm_industry_power import (
    advice,
    bills,
    classify,
    faults,
    guarantees,
    inspections,
    loadcurve,
    profiles,
    readings,
    tariffs,
)
from crm_industry_power import permissions as p
from crm_industry_power import schemas as s
from crm_industry_power.models import (
    Account,
    Advice,
    Bill,
    Equipment,
    Fault,
    Guarantee,
    GuaranteeType,
    InspectionPlan,
    InspectionRecord,
    Meter,
    ServiceClass,
    Tariff,
)
from crm_industry_power.zones import company_timezone, timezone_named

blp = Blueprint(
    "api", __name__, description="Accounts, meters, interval readings, load curves and advice"
)
#: The longest range one metrics request covers.
MAX_RANGE_DAYS = 366


def _session() -> Session:
    return get_host().session


# --- tariffs ------------------------------------------------------------------------


@blp.route("/tariffs")
class Tariffs(MethodView):
    @require(p.TARIFFS_READ)
    @blp.response(200, s.TariffOut(many=True))
    def get(self) -> list[Tariff]:
        """Every tariff with its time-of-use periods."""
        return list(_session().scalars(sa.select(Tariff).order_by(Tariff.code)))

    @require(p.TARIFFS_MANAGE)
    @blp.arguments(s.TariffIn)
    @blp.response(201, s.TariffOut)
    def post(self, data: dict[str, Any]) -> Tariff:
        """Define a tariff: prices per period and the peak and valley hours (the rest is flat)."""
        session = _session()
        tariff = tariffs.save_tariff(session, data)
        session.commit()
        return tariff


@blp.route("/tariffs/<id:tariff_id>")
class TariffResource(MethodView):
    @require(p.TARIFFS_READ)
    @blp.response(200, s.TariffOut)
    def get(self, tariff_id: int) -> Tariff:
        """One tariff."""
        return tariffs.get_tariff(_session(), tariff_id)

    @require(p.TARIFFS_MANAGE)
    @blp.arguments(s.TariffIn(partial=True))
    @blp.response(200, s.TariffOut)
    def patch(self, data: dict[str, Any], tariff_id: int) -> Tariff:
        """Change prices or periods; bills already computed keep their amounts."""
        session = _session()
        tariff = tariffs.save_tariff(session, data, tariffs.get_tariff(session, tariff_id))
        session.commit()
        return tariff


# --- accounts, meters, equipment ----------------------------------------------------


@blp.route("/accounts")
class Accounts(MethodView):
    @require(p.ACCOUNTS_READ)
    @blp.arguments(s.AccountQuery, location="query")
    @blp.response(200, s.AccountOut(many=True))
    def get(self, args: dict[str, Any]) -> list[Account]:
        """Accounts by number; filter by customer or category."""
        query = sa.select(Account).order_by(Account.number).limit(args["limit"])
        if args["customer_id"] is not None:
            query = query.where(Account.customer_id == args["customer_id"])
        if args["category"] is not None:
            query = query.where(Account.category == args["category"])
        return list(_session().scalars(query))

    @require(p.ACCOUNTS_WRITE)
    @blp.arguments(s.AccountIn)
    @blp.response(201, s.AccountOut)
    def post(self, data: dict[str, Any]) -> Account:
        """Open an account (户号) for a customer at a service point."""
        session = _session()
        account = profiles.save_account(session, data)
        session.commit()
        return account


@blp.route("/accounts/<id:account_id>")
class AccountResource(MethodView):
    @require(p.ACCOUNTS_READ)
    @blp.response(200, s.AccountOut)
    @documents_etag(blp)
    def get(self, account_id: int) -> Account:
        """One account; ``ETag`` names its version."""
        return send_etag(profiles.get_account(_session(), account_id))

    @require(p.ACCOUNTS_WRITE)
    @blp.arguments(s.AccountIn(partial=True))
    @blp.response(200, s.AccountOut)
    @documents_if_match(blp)
    def patch(self, data: dict[str, Any], account_id: int) -> Account:
        """Change an account's service point, category, voltage, capacity or tariff."""
        session = _session()
        account = profiles.get_account(session, account_id)
        check_if_match(account)
        account = profiles.save_account(session, data, account)
        session.commit()
        return send_etag(account)


@blp.route("/accounts/<id:account_id>/service-level")
class AccountServiceLevel(MethodView):
    @require(p.ACCOUNTS_READ)
    @blp.response(200, s.ServiceClassOut)
    def get(self, account_id: int) -> ServiceClass:
        """The account's service level (key, important, ordinary) and the rule behind it.

        As the daily classification stored it; an account not classified yet is
        assessed on the spot (and not stored).
        """
        session = _session()
        account = profiles.get_account(session, account_id)
        stored = session.get(ServiceClass, account.id)
        if stored is not None:
            return stored
        tz = company_timezone()
        return classify.assess(session, account, utcnow().astimezone(tz).date(), tz)


@blp.route("/meters")
class Meters(MethodView):
    @require(p.ACCOUNTS_READ)
    @blp.arguments(s.MeterQuery, location="query")
    @blp.response(200, s.MeterOut(many=True))
    def get(self, args: dict[str, Any]) -> list[Meter]:
        """Meters by number; filter by account."""
        query = sa.select(Meter).order_by(Meter.number).limit(args["limit"])
        if args["account_id"] is not None:
            query = query.where(Meter.account_id == args["account_id"])
        return list(_session().scalars(query))

    @require(p.ACCOUNTS_WRITE)
    @blp.arguments(s.MeterIn)
    @blp.response(201, s.MeterOut)
    def post(self, data: dict[str, Any]) -> Meter:
        """Add a meter to an account; its number is what readings files name."""
        session = _session()
        meter = profiles.save_meter(session, data)
        session.commit()
        return meter


@blp.route("/meters/<id:meter_id>")
class MeterResource(MethodView):
    @require(p.ACCOUNTS_READ)
    @blp.response(200, s.MeterOut)
    def get(self, meter_id: int) -> Meter:
        """One meter."""
        return profiles.get_meter(_session(), meter_id)

    @require(p.ACCOUNTS_WRITE)
    @blp.arguments(s.MeterIn(partial=True))
    @blp.response(200, s.MeterOut)
    def patch(self, data: dict[str, Any], meter_id: int) -> Meter:
        """Change a meter's multiplier or switch it off."""
        session = _session()
        meter = profiles.save_meter(session, data, profiles.get_meter(session, meter_id))
        session.commit()
        return meter


@blp.route("/accounts/<id:account_id>/equipment")
class AccountEquipment(MethodView):
    @require(p.ACCOUNTS_READ)
    @blp.response(200, s.EquipmentOut(many=True))
    def get(self, account_id: int) -> list[Equipment]:
        """Transformers, motors and other equipment at the account's service point."""
        session = _session()
        profiles.get_account(session, account_id)
        return list(
            session.scalars(
                sa.select(Equipment)
                .where(Equipment.account_id == account_id)
                .order_by(Equipment.id)
            )
        )

    @require(p.ACCOUNTS_WRITE)
    @blp.arguments(s.EquipmentIn)
    @blp.response(201, s.EquipmentOut)
    def post(self, data: dict[str, Any], account_id: int) -> Equipment:
        """Record a piece of equipment."""
        session = _session()
        row = profiles.add_equipment(session, profiles.get_account(session, account_id), data)
        session.commit()
        return row


# --- readings, curves, metrics ------------------------------------------------------


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
            session = _session()
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
        session = _session()
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
            }
        periods = loadcurve.periods_of(curve, account.tariff, tz)
        return {
            "account_id": account.id,
            "day": curve.day,
            "interval": curve.interval,
            "points": [
                {"start": start, "kw": kw, "period": period}
                for start, kw, period in zip(curve.starts, curve.kw, periods, strict=True)
            ],
            "metrics": loadcurve.metrics(curve, account.tariff, account.contracted_kva, tz),
        }


@blp.route("/accounts/<id:account_id>/metrics")
class Metrics(MethodView):
    @require(p.READINGS_READ)
    @blp.arguments(s.RangeQuery, location="query")
    @blp.response(200, s.SummaryOut)
    def get(self, args: dict[str, Any], account_id: int) -> loadcurve.PeriodSummary:
        """Metrics of every day in a range and their totals (maximum, load factor, TOU energy)."""
        session = _session()
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
        session = _session()
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
        session = _session()
        account = profiles.get_account(session, account_id)
        first, last = _range(args)
        return loadcurve.monthly_profile(session, account, first, last, company_timezone())


# --- advice, bills, faults ----------------------------------------------------------


@blp.route("/advice")
class AdviceList(MethodView):
    @require(p.ADVICE_READ)
    @blp.arguments(s.AdviceQuery, location="query")
    @blp.response(200, s.AdviceOut(many=True))
    def get(self, args: dict[str, Any]) -> list[Advice]:
        """Stored advice over every account: grid upgrades first, then the largest savings."""
        return advice.stored(_session(), limit=args["limit"])


@blp.route("/accounts/<id:account_id>/advice")
class AccountAdvice(MethodView):
    @require(p.ADVICE_READ)
    @blp.response(200, s.AdviceOut(many=True))
    def get(self, account_id: int) -> list[Advice]:
        """The account's stored advice."""
        session = _session()
        profiles.get_account(session, account_id)
        return advice.stored(session, account_id)

    @require(p.ADVICE_WRITE)
    @blp.arguments(s.AdviceRefreshIn)
    @blp.response(200, s.AdviceOut(many=True))
    def post(self, data: dict[str, Any], account_id: int) -> list[Advice]:
        """Recompute the account's advice over the 30 days ending ``last_day`` (today)."""
        session = _session()
        account = profiles.get_account(session, account_id)
        tz = company_timezone()
        last = data["last_day"] or utcnow().astimezone(tz).date()
        rows = advice.refresh(session, account, last, tz)
        session.commit()
        return rows


@blp.route("/accounts/<id:account_id>/bills")
class AccountBills(MethodView):
    @require(p.ACCOUNTS_READ)
    @blp.response(200, s.BillOut(many=True))
    def get(self, account_id: int) -> list[Bill]:
        """The account's bills, newest month first."""
        session = _session()
        profiles.get_account(session, account_id)
        return list(
            session.scalars(
                sa.select(Bill).where(Bill.account_id == account_id).order_by(Bill.month.desc())
            )
        )

    @require(p.ADVICE_WRITE)
    @blp.arguments(s.BillIn)
    @blp.response(200, s.BillOut)
    def post(self, data: dict[str, Any], account_id: int) -> Bill:
        """Compute (or recompute) the account's bill for a month from its readings."""
        session = _session()
        account = profiles.get_account(session, account_id)
        month = bills.parse_month(data["month"])
        bill = bills.compute(session, account, month, company_timezone())
        if bill is None:
            raise ValidationFailed(
                "nothing to bill",
                details={"month": ["The account has no tariff or no readings that month."]},
            )
        session.commit()
        return bill


@blp.route("/faults")
class Faults(MethodView):
    @require(p.FAULTS_READ)
    @blp.arguments(s.FaultQuery, location="query")
    @blp.response(200, s.FaultOut(many=True))
    def get(self, args: dict[str, Any]) -> list[Fault]:
        """Reported faults, newest first."""
        query = sa.select(Fault).order_by(Fault.id.desc()).limit(args["limit"])
        if args["account_id"] is not None:
            query = query.where(Fault.account_id == args["account_id"])
        return list(_session().scalars(query))


@blp.route("/accounts/<id:account_id>/faults")
class AccountFaults(MethodView):
    @require(p.FAULTS_WRITE)
    @blp.arguments(s.FaultIn)
    @blp.response(201, s.FaultOut)
    def post(self, data: dict[str, Any], account_id: int) -> Fault:
        """Report a fault: a service ticket when the service plugin is installed, else a record."""
        session = _session()
        account = profiles.get_account(session, account_id)
        fault = faults.report_fault(
            session, account, data, actor=current_user.user, settings=current_app.config
        )
        session.commit()
        return fault


@blp.route("/faults/<id:fault_id>/arrival")
class FaultArrival(MethodView):
    @require(p.FAULTS_READ)
    @blp.response(200, s.ArrivalOut)
    def get(self, fault_id: int) -> dict[str, Any]:
        """The fault's arrival clock: when a crew is due, when it came, whether it was late."""
        session = _session()
        return faults.arrival(session, faults.get_fault(session, fault_id))

    @require(p.FAULTS_WRITE)
    @blp.response(200, s.ArrivalOut)
    def post(self, fault_id: int) -> dict[str, Any]:
        """The crew checks in on site: the arrival clock stops."""
        session = _session()
        fault = faults.check_in(
            session, faults.get_fault(session, fault_id), actor=current_user.user
        )
        session.commit()
        return faults.arrival(session, fault)


# --- inspections --------------------------------------------------------------------


def _today() -> Any:
    return utcnow().astimezone(company_timezone()).date()


@blp.route("/inspection-plans")
class InspectionPlans(MethodView):
    @require(p.INSPECTIONS_READ)
    @blp.arguments(s.InspectionPlanQuery, location="query")
    @blp.response(200, s.InspectionPlanOut(many=True))
    def get(self, args: dict[str, Any]) -> list[InspectionPlan]:
        """Inspection plans by due date; ``overdue=true`` for those whose date has passed."""
        return inspections.plans(
            _session(),
            account_id=args["account_id"],
            overdue_on=_today() if args["overdue"] else None,
        )

    @require(p.INSPECTIONS_WRITE)
    @blp.arguments(s.InspectionPlanIn)
    @blp.response(201, s.InspectionPlanOut)
    def post(self, data: dict[str, Any]) -> InspectionPlan:
        """Plan a recurring inspection of a service point or of one piece of equipment."""
        session = _session()
        plan = inspections.save_plan(session, data)
        session.commit()
        return plan


@blp.route("/inspection-plans/<id:plan_id>")
class InspectionPlanResource(MethodView):
    @require(p.INSPECTIONS_READ)
    @blp.response(200, s.InspectionPlanOut)
    def get(self, plan_id: int) -> InspectionPlan:
        """One inspection plan."""
        return inspections.get_plan(_session(), plan_id)

    @require(p.INSPECTIONS_WRITE)
    @blp.arguments(s.InspectionPlanIn(partial=True))
    @blp.response(200, s.InspectionPlanOut)
    def patch(self, data: dict[str, Any], plan_id: int) -> InspectionPlan:
        """Change a plan's interval, due date, responsible user or switch it off."""
        session = _session()
        plan = inspections.save_plan(session, data, inspections.get_plan(session, plan_id))
        session.commit()
        return plan


@blp.route("/inspection-plans/<id:plan_id>/records")
class InspectionRecords(MethodView):
    @require(p.INSPECTIONS_READ)
    @blp.response(200, s.InspectionRecordOut(many=True))
    def get(self, plan_id: int) -> list[InspectionRecord]:
        """The plan's inspections, newest first."""
        session = _session()
        inspections.get_plan(session, plan_id)
        return inspections.records(session, plan_id)

    @require(p.INSPECTIONS_WRITE)
    @blp.arguments(s.InspectionRecordIn)
    @blp.response(201, s.InspectionRecordOut)
    def post(self, data: dict[str, Any], plan_id: int) -> InspectionRecord:
        """Record an inspection (patrol or check); the plan's next due date moves on."""
        session = _session()
        data.setdefault("inspector_id", current_user.user.id)
        row = inspections.record(
            session, inspections.get_plan(session, plan_id), data, today=_today()
        )
        session.commit()
        return row


# --- service guarantees -------------------------------------------------------------


@blp.route("/guarantee-types")
class GuaranteeTypes(MethodView):
    @require(p.GUARANTEES_READ)
    @blp.response(200, s.GuaranteeTypeOut(many=True))
    def get(self) -> list[GuaranteeType]:
        """The published commitments: targets and the credit owed on a breach."""
        return list(_session().scalars(sa.select(GuaranteeType).order_by(GuaranteeType.code)))

    @require(p.GUARANTEES_MANAGE)
    @blp.arguments(s.GuaranteeTypeIn)
    @blp.response(201, s.GuaranteeTypeOut)
    def post(self, data: dict[str, Any]) -> GuaranteeType:
        """Define a guarantee type."""
        session = _session()
        row = guarantees.save_type(session, data)
        session.commit()
        return row


@blp.route("/guarantee-types/<id:type_id>")
class GuaranteeTypeResource(MethodView):
    @require(p.GUARANTEES_READ)
    @blp.response(200, s.GuaranteeTypeOut)
    def get(self, type_id: int) -> GuaranteeType:
        """One guarantee type."""
        return guarantees.get_type(_session(), type_id)

    @require(p.GUARANTEES_MANAGE)
    @blp.arguments(s.GuaranteeTypeIn(partial=True))
    @blp.response(200, s.GuaranteeTypeOut)
    def patch(self, data: dict[str, Any], type_id: int) -> GuaranteeType:
        """Change a type; guarantees already running keep the due time they were given."""
        session = _session()
        row = guarantees.save_type(session, data, guarantees.get_type(session, type_id))
        session.commit()
        return row


@blp.route("/guarantees")
class Guarantees(MethodView):
    @require(p.GUARANTEES_READ)
    @blp.arguments(s.GuaranteeQuery, location="query")
    @blp.response(200, s.GuaranteeOut(many=True))
    def get(self, args: dict[str, Any]) -> list[Guarantee]:
        """Guarantees, soonest due first; ``breached=true`` for those owing a credit."""
        return guarantees.listing(
            _session(), customer_id=args["customer_id"], breached=args["breached"]
        )

    @require(p.GUARANTEES_WRITE)
    @blp.arguments(s.GuaranteeIn)
    @blp.response(201, s.GuaranteeOut)
    def post(self, data: dict[str, Any]) -> Guarantee:
        """Start a guarantee for a customer and an event; its clock runs from ``started_at``."""
        session = _session()
        row = guarantees.start(session, data, actor=current_user.user)
        session.commit()
        return row


@blp.route("/guarantees/<id:guarantee_id>")
class GuaranteeResource(MethodView):
    @require(p.GUARANTEES_READ)
    @blp.response(200, s.GuaranteeOut)
    def get(self, guarantee_id: int) -> Guarantee:
        """One guarantee with its due time, and the credit owed if it was missed."""
        return guarantees.get(_session(), guarantee_id)


@blp.route("/guarantees/<id:guarantee_id>/met")
class GuaranteeMet(MethodView):
    @require(p.GUARANTEES_WRITE)
    @blp.response(200, s.GuaranteeOut)
    def post(self, guarantee_id: int) -> Guarantee:
        """The commitment was kept now: the clock stops (a second time is a conflict)."""
        session = _session()
        row = guarantees.met(
            session, guarantees.get(session, guarantee_id), actor=current_user.user
        )
        session.commit()
        return row
