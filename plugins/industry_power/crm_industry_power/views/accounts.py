"""Console pages of accounts: the list, one account with its curves, and a fault report."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from crm_host.sdk import CrmError, Customer, can, get_host
from crm_host.sdk.web import Chart, allowed, chart_json, page
from crm_industry_power import advice, bills, faults, figures, loadcurve, storage
from crm_industry_power import permissions as p
from crm_industry_power.models import CATEGORIES, Account, Equipment, Fault, Meter, ServiceClass
from crm_industry_power.readings.units import in_display_unit
from crm_industry_power.views.blueprint import bp
from crm_industry_power.views.labels import LIMIT, PERIOD_LABELS, labels
from crm_industry_power.zones import company_timezone

SERVICE_TICKET = "service_console.ticket"


def _day_arg() -> date:
    """The ``day`` query argument, or today in the company timezone (bad input: today)."""
    value = request.args.get("day", "")
    try:
        day = datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        day = None
    if day is None or not storage.FIRST_YEAR <= day.year <= storage.LAST_YEAR:
        return datetime.now(company_timezone()).date()
    return day


@bp.route("/")
@page(p.ACCOUNTS_READ)
def accounts() -> str:
    """Accounts with their customer, category, voltage, capacity and tariff."""
    session = get_host().session
    category = request.args.get("category", "")
    query = (
        sa.select(Account, Customer.name)
        .join(Customer, Customer.id == Account.customer_id)
        .order_by(Account.number)
        .limit(LIMIT)
    )
    if category in CATEGORIES:
        query = query.where(Account.category == category)
    rows = session.execute(query).all()
    return render_template("power/accounts.html", rows=rows, category=category, **labels())


@bp.route("/accounts/<int:account_id>")
@page(p.ACCOUNTS_READ)
def account(account_id: int) -> str:
    """One account: profile, meters, the day's load curve and metrics, equipment, advice."""
    session = get_host().session
    row = session.get(Account, account_id)
    if row is None:
        abort(404)
    day = _day_arg()
    tz = company_timezone()
    user = current_user.user
    metrics = chart = None
    metric_figures: list[figures.Figure] = []
    extra_charts: list[Chart] = []
    if can(session, user, p.READINGS_READ):
        curve = loadcurve.day_curve(session, row, day, tz)
        if curve is not None:
            metrics = loadcurve.metrics(curve, row.tariff, row.contracted_kva, tz)
            metric_figures = figures.figures(metrics, row.display_unit)
        chart = Chart(
            _("Load curve on %(day)s (%(unit)s)", day=day.isoformat(), unit=row.display_unit),
            url_for(".curve", account_id=row.id, day=day.isoformat()),
            kind="line",
        )
        extra_charts = [
            Chart(
                _(
                    "Typical day of the 30 days to %(day)s (%(unit)s)",
                    day=day.isoformat(),
                    unit=row.display_unit,
                ),
                url_for(".typical", account_id=row.id, day=day.isoformat()),
                kind="line",
            ),
            Chart(
                _(
                    "Energy per day in %(month)s (%(unit)s)",
                    month=day.strftime("%Y-%m"),
                    unit=f"{row.display_unit}h",
                ),
                url_for(".month", account_id=row.id, day=day.isoformat()),
                kind="bar",
            ),
        ]
    customer = session.get(Customer, row.customer_id)
    service_class = session.get(ServiceClass, row.id)
    meters = session.scalars(
        sa.select(Meter).where(Meter.account_id == row.id).order_by(Meter.number)
    ).all()
    equipment = session.scalars(
        sa.select(Equipment).where(Equipment.account_id == row.id).order_by(Equipment.id)
    ).all()
    advice_rows = advice.stored(session, row.id) if can(session, user, p.ADVICE_READ) else []
    fault_rows = (
        session.scalars(
            sa.select(Fault).where(Fault.account_id == row.id).order_by(Fault.id.desc()).limit(20)
        ).all()
        if can(session, user, p.FAULTS_READ)
        else []
    )
    return render_template(
        "power/account.html",
        account=row,
        customer=customer,
        service_class=service_class,
        meters=meters,
        equipment=equipment,
        day=day,
        chart=chart,
        extra_charts=extra_charts,
        metrics=metrics,
        figures=metric_figures,
        advice_rows=advice_rows,
        fault_rows=fault_rows,
        can_report=allowed(p.FAULTS_WRITE),
        # The ticket page exists only when the service plugin is installed.
        ticket_endpoint=(SERVICE_TICKET if SERVICE_TICKET in current_app.view_functions else None),
        **labels(),
    )


@bp.route("/accounts/<int:account_id>/curve.json")
@page(p.READINGS_READ)
def curve(account_id: int) -> Response:
    """The chart data of the account's load curve on ``day``: demand per interval, in
    the account's unit."""
    session = get_host().session
    row = session.get(Account, account_id)
    if row is None:
        abort(404)
    tz = company_timezone()
    day_curve = loadcurve.day_curve(session, row, _day_arg(), tz)
    unit = row.display_unit
    if day_curve is None:
        return chart_json([], {_("Demand"): []}, unit=unit)
    labels = [f"{start.astimezone(tz):%H:%M}" for start in day_curve.starts]
    values = [_rounded(in_display_unit(v, unit)) for v in day_curve.kw]
    return chart_json(labels, {_("Demand"): values}, unit=unit)  # type: ignore[dict-item]


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _account_or_404(account_id: int) -> Account:
    row = get_host().session.get(Account, account_id)
    if row is None:
        abort(404)
    return row


@bp.route("/accounts/<int:account_id>/typical.json")
@page(p.READINGS_READ)
def typical(account_id: int) -> Response:
    """The chart data of the account's typical day over the 30 days up to ``day``."""
    row = _account_or_404(account_id)
    tz = company_timezone()
    first, last = loadcurve.last_days(_day_arg(), 30)
    curves = loadcurve.account_curves(get_host().session, row, first, last, tz)
    values = loadcurve.typical_day(curves)
    interval = loadcurve.typical_interval(curves) or 60
    labels = [f"{i * interval // 60:02d}:{i * interval % 60:02d}" for i in range(len(values))]
    unit = row.display_unit
    rounded = [_rounded(in_display_unit(v, unit)) for v in values]
    return chart_json(labels, {_("Demand"): rounded}, unit=unit)  # type: ignore[dict-item]


@bp.route("/accounts/<int:account_id>/month.json")
@page(p.READINGS_READ)
def month(account_id: int) -> Response:
    """The chart data of the month of ``day``: energy per day by time-of-use period."""
    row = _account_or_404(account_id)
    first, last = bills.month_bounds(_day_arg())
    days = loadcurve.monthly_profile(get_host().session, row, first, last, company_timezone())
    unit = row.display_unit
    return chart_json(
        [d.day.strftime("%m-%d") for d in days],
        {
            str(PERIOD_LABELS[period]): [
                in_display_unit(float(d.energy_by_period[period]), unit) for d in days
            ]
            for period in ("peak", "flat", "valley")
        },
        unit=f"{unit}h",
    )


@bp.route("/accounts/<int:account_id>/faults", methods=["POST"])
@page(p.FAULTS_WRITE)
def report_fault(account_id: int) -> Response:
    """Report a fault from the account page."""
    session = get_host().session
    row = session.get(Account, account_id)
    if row is None:
        abort(404)
    try:
        fault = faults.report_fault(
            session,
            row,
            {
                "description": request.form.get("description", ""),
                "contact_phone": request.form.get("contact_phone") or None,
                "area": request.form.get("area") or "urban",
            },
            actor=current_user.user,
            settings=current_app.config,
        )
        session.commit()
    except CrmError as error:
        session.rollback()
        for problems in error.details.values():
            for problem in problems:
                flash(_("The fault was not reported: %(problem)s", problem=problem), "error")
        if not error.details:
            flash(_("The fault was not reported: %(problem)s", problem=error.message), "error")
        return redirect(url_for(".account", account_id=account_id))
    if fault.ticket_id is not None:
        flash(_("Fault reported: ticket #%(ticket)s opened.", ticket=fault.ticket_id), "success")
    else:
        flash(_("Fault recorded."), "success")
    return redirect(url_for(".account", account_id=account_id))
