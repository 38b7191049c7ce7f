"""Console pages of the power pack (mounted by the host under ``/power/``), and what it
shows elsewhere in the console: menu entries, dashboard KPIs and a 360° panel.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from crm_host.sdk import CrmError, Customer, User, can, get_host
from crm_host.sdk.web import Chart, MenuItem, Panel, allowed, chart_json, page
from crm_industry_power import advice, bills, faults, loadcurve, profiles, storage
from crm_industry_power import permissions as p
from crm_industry_power.models import (
    CATEGORIES,
    Account,
    Advice,
    Equipment,
    Fault,
    Meter,
    ServiceClass,
)
from crm_industry_power.zones import company_timezone

bp = Blueprint("console", __name__, template_folder="templates")

SERVICE_TICKET = "service_console.ticket"
#: Rows on the list pages.
LIMIT = 200
CATEGORY_LABELS = {
    "large_industry": _l("Large industry"),
    "commercial": _l("Commercial and general industry"),
    "residential": _l("Residential"),
    "agricultural": _l("Agricultural"),
}
RULE_LABELS = {
    "capacity_reduction": _l("Reduce the contracted capacity"),
    "grid_upgrade": _l("Upgrade the line or transformer"),
    "shift_to_valley": _l("Shift load from peak to valley hours"),
    "low_load_factor": _l("Level a peaky load"),
}
PERIOD_LABELS = {"peak": _l("Peak"), "flat": _l("Flat"), "valley": _l("Valley")}
EQUIPMENT_LABELS = {
    "transformer": _l("Transformer"),
    "motor": _l("Motor"),
    "capacitor": _l("Capacitor bank"),
    "switchgear": _l("Switchgear"),
    "generator": _l("Generator"),
    "other": _l("Other equipment"),
}
AREA_LABELS = {"urban": _l("Urban"), "rural": _l("Rural"), "remote": _l("Remote")}
LEVEL_LABELS = {"key": _l("Key"), "important": _l("Important"), "ordinary": _l("Ordinary")}
FAULT_LABELS = {
    "recorded": _l("Recorded"),
    "ticketed": _l("Ticket opened"),
    "resolved": _l("Resolved"),
}


def _labels() -> dict[str, Any]:
    return {
        "categories": CATEGORY_LABELS,
        "rules": RULE_LABELS,
        "periods": PERIOD_LABELS,
        "equipment_kinds": EQUIPMENT_LABELS,
        "fault_statuses": FAULT_LABELS,
        "levels": LEVEL_LABELS,
        "areas": AREA_LABELS,
    }


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
    return render_template("power/accounts.html", rows=rows, category=category, **_labels())


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
    extra_charts: list[Chart] = []
    if can(session, user, p.READINGS_READ):
        curve = loadcurve.day_curve(session, row, day, tz)
        if curve is not None:
            metrics = loadcurve.metrics(curve, row.tariff, row.contracted_kva, tz)
        chart = Chart(
            _("Load curve on %(day)s (kW)", day=day.isoformat()),
            url_for(".curve", account_id=row.id, day=day.isoformat()),
            kind="line",
        )
        extra_charts = [
            Chart(
                _("Typical day of the 30 days to %(day)s (kW)", day=day.isoformat()),
                url_for(".typical", account_id=row.id, day=day.isoformat()),
                kind="line",
            ),
            Chart(
                _("Energy per day in %(month)s (kWh)", month=day.strftime("%Y-%m")),
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
        advice_rows=advice_rows,
        fault_rows=fault_rows,
        can_report=allowed(p.FAULTS_WRITE),
        # The ticket page exists only when the service plugin is installed.
        ticket_endpoint=(SERVICE_TICKET if SERVICE_TICKET in current_app.view_functions else None),
        **_labels(),
    )


@bp.route("/accounts/<int:account_id>/curve.json")
@page(p.READINGS_READ)
def curve(account_id: int) -> Response:
    """The chart data of the account's load curve on ``day``: kW per interval."""
    session = get_host().session
    row = session.get(Account, account_id)
    if row is None:
        abort(404)
    tz = company_timezone()
    day_curve = loadcurve.day_curve(session, row, _day_arg(), tz)
    if day_curve is None:
        return chart_json([], {_("Demand"): []}, unit="kW")
    labels = [f"{start.astimezone(tz):%H:%M}" for start in day_curve.starts]
    values = [None if v is None else round(v, 3) for v in day_curve.kw]
    return chart_json(labels, {_("Demand"): values}, unit="kW")  # type: ignore[dict-item]


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
    rounded = [None if v is None else round(v, 3) for v in values]
    return chart_json(labels, {_("Demand"): rounded}, unit="kW")  # type: ignore[dict-item]


@bp.route("/accounts/<int:account_id>/month.json")
@page(p.READINGS_READ)
def month(account_id: int) -> Response:
    """The chart data of the month of ``day``: energy per day by time-of-use period."""
    row = _account_or_404(account_id)
    first, last = bills.month_bounds(_day_arg())
    days = loadcurve.monthly_profile(get_host().session, row, first, last, company_timezone())
    return chart_json(
        [d.day.strftime("%m-%d") for d in days],
        {
            str(PERIOD_LABELS[period]): [float(d.energy_by_period[period]) for d in days]
            for period in ("peak", "flat", "valley")
        },
        unit="kWh",
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


@bp.route("/advice")
@page(p.ADVICE_READ)
def advice_list() -> str:
    """Stored advice over every account: grid upgrades first, then the largest savings."""
    session = get_host().session
    rows = advice.stored(session, limit=LIMIT)
    accounts_by_id = {
        a.id: a
        for a in session.scalars(
            sa.select(Account).where(Account.id.in_({r.account_id for r in rows}))
        )
    }
    return render_template("power/advice.html", rows=rows, accounts=accounts_by_id, **_labels())


def menu_items() -> list[MenuItem]:
    """Accounts and advice in the navigation."""
    return [
        MenuItem(
            label=_l("Power accounts"),
            endpoint="power_console.accounts",
            order=50,  # type: ignore[arg-type]
            permission=p.ACCOUNTS_READ,
        ),
        MenuItem(
            label=_l("Energy advice"),
            endpoint="power_console.advice_list",
            order=51,  # type: ignore[arg-type]
            permission=p.ADVICE_READ,
        ),
        MenuItem(
            label=_l("Inspections"),
            endpoint="power_console.inspection_plans",
            order=52,  # type: ignore[arg-type]
            permission=p.INSPECTIONS_READ,
        ),
        MenuItem(
            label=_l("Service guarantees"),
            endpoint="power_console.guarantee_list",
            order=53,  # type: ignore[arg-type]
            permission=p.GUARANTEES_READ,
        ),
    ]


def dashboard_kpis(user: User) -> list[dict[str, Any]]:
    """Accounts, grid upgrades due, monthly savings on offer, faults without a ticket."""
    session = get_host().session
    kpis: list[dict[str, Any]] = []
    if can(session, user, p.ACCOUNTS_READ):
        count = session.scalar(sa.select(sa.func.count()).select_from(Account)) or 0
        kpis.append(
            {
                "label": _l("Power accounts"),
                "value": count,
                "href": url_for("power_console.accounts"),
            }
        )
    if can(session, user, p.ADVICE_READ):
        upgrades = (
            session.scalar(
                sa.select(sa.func.count()).select_from(Advice).where(Advice.rule == "grid_upgrade")
            )
            or 0
        )
        savings = session.execute(
            sa.select(Advice.currency, sa.func.sum(Advice.monthly_saving))
            .where(Advice.monthly_saving.is_not(None))
            .group_by(Advice.currency)
        ).all()
        href = url_for("power_console.advice_list")
        kpis.append({"label": _l("Grid upgrades advised"), "value": upgrades, "href": href})
        for currency, amount in savings:
            kpis.append(
                {
                    "label": _l("Savings on offer per month (%(currency)s)", currency=currency),
                    "value": f"{Decimal(amount or 0):,.2f}",
                    "unit": currency,
                    "href": href,
                }
            )
    if can(session, user, p.FAULTS_READ):
        open_faults = (
            session.scalar(
                sa.select(sa.func.count()).select_from(Fault).where(Fault.status == "recorded")
            )
            or 0
        )
        kpis.append({"label": _l("Faults without a ticket"), "value": open_faults})
    return kpis


def customer_panels(customer: Customer, user: User) -> list[Panel]:
    """The customer's accounts and, for key customers, their equipment."""
    session = get_host().session
    if not can(session, user, p.ACCOUNTS_READ):
        return []
    rows = profiles.accounts_of(session, customer.id)
    if not rows:
        return []
    levels = dict(
        session.execute(
            sa.select(ServiceClass.account_id, ServiceClass.level).where(
                ServiceClass.account_id.in_([a.id for a in rows])
            )
        ).all()
    )
    # Equipment matters for key customers: flagged by hand, or classified key.
    equipment = [
        (account, item)
        for account, item in profiles.equipment_of(session, customer.id)
        if account.key_customer or levels.get(account.id) == "key"
    ]
    return [
        Panel(
            title=_l("Power accounts"),  # type: ignore[arg-type]
            template="power/_customer_panel.html",
            context={
                "power_accounts": rows,
                "power_equipment": equipment,
                "power_levels": levels,
                "power_customer_id": customer.id,
                **_labels(),
            },
            order=50,
        )
    ]
