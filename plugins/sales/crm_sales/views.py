"""The sales console pages, mounted by the host under ``/sales/`` behind the department gate.

The pipeline board (move a deal to another stage) and the leads page (capture,
move along the status flow, convert). Forms post to the same services as the API;
a refusal comes back as a message at the top of the page, nothing half-written.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from crm_host.sdk import CrmError, Customer, ValidationFailed, authorize, get_host
from crm_host.sdk.web import Chart, chart_json, check_form_version
from crm_sales import (
    assignment,
    customer_prices,
    forecast,
    leads,
    performance,
    pipeline,
    pricing,
    quotes,
    records,
)
from crm_sales.models import (
    Lead,
    LeadStatus,
    Opportunity,
    OpportunityStatus,
    PriceList,
    Product,
    Quote,
)
from crm_sales.permissions import (
    LEADS_READ,
    LEADS_WRITE,
    OPPORTUNITIES_READ,
    OPPORTUNITIES_WRITE,
    PRODUCTS_WRITE,
    QUOTES_READ,
    QUOTES_WRITE,
)

bp = Blueprint("console", __name__, template_folder="templates")


def _form() -> dict[str, Any]:
    """The posted fields, blanks left out (an empty input means "not given")."""
    return {k: v.strip() for k, v in request.form.items() if k != "csrf_token" and v.strip()}


def _refused(error: CrmError) -> None:
    get_host().session.rollback()
    details = "; ".join(
        f"{f}: {' '.join(m)}" for f, m in error.details.items() if f != "permission"
    )
    flash(error.message + (f" ({details})" if details else ""), "error")


@bp.route("/")
@login_required
def pipeline_board() -> str:
    """The pipeline board: open opportunities by stage, with value and weighted value."""
    session = get_host().session
    user = current_user.user
    authorize(session, user, OPPORTUNITIES_READ)
    visible = records.visible(session, user, Opportunity, OPPORTUNITIES_READ)
    deals = session.scalars(
        sa.select(Opportunity)
        .where(visible, Opportunity.status == OpportunityStatus.OPEN)
        .order_by(Opportunity.expected_close, Opportunity.id)
        .limit(500)
    )
    by_stage: dict[str, list[Opportunity]] = {}
    for deal in deals:
        by_stage.setdefault(deal.stage.code, []).append(deal)
    return render_template(
        "sales/pipeline.html",
        board=forecast.pipeline_summary(session, visible),
        by_stage=by_stage,
        stages=pipeline.stages(session),
        forecast=forecast.forecast(session, visible),
        charts=[
            Chart(gettext("Weighted forecast by month"), url_for(".forecast_chart")),
            Chart(gettext("Stage funnel"), url_for(".funnel_chart")),
        ],
    )


@bp.route("/charts/forecast")
@login_required
def forecast_chart() -> Response:
    """The weighted value of the open deals the user may see, by close month; one series
    per currency, since yuan and euros are never added together."""
    session = get_host().session
    user = current_user.user
    authorize(session, user, OPPORTUNITIES_READ)
    rows = forecast.forecast(
        session, records.visible(session, user, Opportunity, OPPORTUNITIES_READ)
    )
    months = list(dict.fromkeys(row["month"] for row in rows))
    weighted = {(row["month"], row["currency"]): row["weighted"] for row in rows}
    return chart_json(
        [month or gettext("No close date") for month in months],
        {
            gettext("Weighted (%(currency)s)", currency=currency): [
                float(weighted.get((month, currency), 0)) for month in months
            ]
            for currency in sorted({row["currency"] for row in rows})
        },
    )


@bp.route("/charts/funnel")
@login_required
def funnel_chart() -> Response:
    """Deals that reached each stage, in board order."""
    session = get_host().session
    authorize(session, current_user.user, OPPORTUNITIES_READ)
    names = {stage.code: stage.name for stage in pipeline.stages(session)}
    steps = performance.funnel(session)
    return chart_json(
        [gettext(names.get(step.code, step.code)) for step in steps],
        {gettext("Deals reached"): [step.reached for step in steps]},
    )


@bp.route("/opportunities/<id:opportunity_id>/stage", methods=["POST"])
@login_required
def move_stage(opportunity_id: int) -> Response:
    """Move a deal to the stage chosen on the board (a lost one needs a reason)."""
    session = get_host().session
    user = current_user.user
    authorize(session, user, OPPORTUNITIES_WRITE)
    try:
        deal = pipeline.get_opportunity(session, opportunity_id)
        records.check(session, user, deal, OPPORTUNITIES_WRITE)
        check_form_version(deal, request.form)
        form = _form()
        stage = pipeline.find_stage(session, form.get("stage", ""))
        pipeline.change_stage(session, deal, stage, actor=user, lost_reason=form.get("lost_reason"))
        session.commit()
        flash(gettext("%(deal)s moved to %(stage)s.", deal=deal.name, stage=gettext(stage.name)))
    except CrmError as error:
        _refused(error)
    return redirect(url_for(".pipeline_board"))


@bp.route("/leads")
@login_required
def leads_page() -> str:
    """Leads still being worked, best scores first, with their next steps."""
    session = get_host().session
    user = current_user.user
    authorize(session, user, LEADS_READ)
    rows = session.scalars(
        sa.select(Lead)
        .where(
            records.visible(session, user, Lead, LEADS_READ),
            Lead.status.in_([LeadStatus.NEW, LeadStatus.CONTACTED, LeadStatus.QUALIFIED]),
        )
        .order_by(Lead.score.desc(), Lead.id.desc())
        .limit(500)
    )
    return render_template("sales/leads.html", leads=list(rows))


@bp.route("/leads", methods=["POST"])
@login_required
def capture_lead() -> Response:
    """Capture a lead from the form."""
    session = get_host().session
    user = current_user.user
    authorize(session, user, LEADS_WRITE)
    try:
        lead = leads.create_lead(session, _form(), actor=user)
        session.commit()
        flash(gettext("Lead %(name)s captured.", name=lead.name))
        if lead.unassigned_reason == assignment.FULL:
            flash(gettext("Nobody was given the lead: every seller is at capacity."), "error")
    except CrmError as error:
        _refused(error)
    return redirect(url_for(".leads_page"))


@bp.route("/leads/<id:lead_id>/status", methods=["POST"])
@login_required
def lead_status(lead_id: int) -> Response:
    """Move a lead along the status flow (disqualifying needs a reason)."""
    session = get_host().session
    user = current_user.user
    authorize(session, user, LEADS_WRITE)
    try:
        lead = leads.get_lead(session, lead_id)
        records.check(session, user, lead, LEADS_WRITE)
        check_form_version(lead, request.form)
        form = _form()
        leads.set_status(
            session, lead, form.get("status", ""), reason=form.get("reason"), actor=user
        )
        session.commit()
    except CrmError as error:
        _refused(error)
    return redirect(url_for(".leads_page"))


@bp.route("/leads/<id:lead_id>/convert", methods=["POST"])
@login_required
def convert_lead(lead_id: int) -> Response:
    """Convert a qualified lead; on success go to the new customer."""
    session = get_host().session
    user = current_user.user
    authorize(session, user, LEADS_WRITE)
    try:
        lead = leads.get_lead(session, lead_id)
        records.check(session, user, lead, LEADS_WRITE)
        check_form_version(lead, request.form)
        customer, _deal = leads.convert(session, lead, _form(), actor=user)
        session.commit()
    except CrmError as error:
        _refused(error)
        return redirect(url_for(".leads_page"))
    flash(gettext("Lead converted into customer %(code)s.", code=customer.code))
    return redirect(url_for("customer_pages.view", customer_id=customer.id))


# --- quotes ---------------------------------------------------------------------------------

#: Line rows on the new-quote form; rows left without a product are skipped.
FORM_LINES = 6


@bp.route("/quotes")
@login_required
def quotes_page() -> str:
    """The latest quotes with their status and total."""
    session = get_host().session
    authorize(session, current_user.user, QUOTES_READ)
    rows = session.execute(
        sa.select(Quote, Customer.code, Customer.name)
        .join(Customer, Customer.id == Quote.customer_id)
        .order_by(Quote.id.desc())
        .limit(200)
    ).all()
    return render_template("sales/quotes.html", rows=rows)


def _quote_form(values: Any = None) -> str:
    session = get_host().session
    return render_template(
        "sales/quote_new.html",
        price_lists=list(session.scalars(sa.select(PriceList).order_by(PriceList.code))),
        products=list(
            session.scalars(
                sa.select(Product).where(Product.active.is_(True)).order_by(Product.code)
            )
        ),
        line_numbers=range(FORM_LINES),
        values=values or {},
    )


@bp.route("/quotes/new")
@login_required
def new_quote() -> str:
    """The form for a new quote: a customer, a price list and a few lines."""
    authorize(get_host().session, current_user.user, QUOTES_WRITE)
    return _quote_form()


def _posted_quote(session: Any) -> dict[str, Any]:
    """The quote the form describes, as the service takes it; unknown codes are named."""
    form = _form()
    data: dict[str, Any] = {"valid_until": form.get("valid_until"), "lines": []}
    code = form.get("customer_code", "")
    data["customer_id"] = session.scalar(sa.select(Customer.id).where(Customer.code == code))
    if data["customer_id"] is None:
        raise ValidationFailed(
            "the quote is not valid", details={"customer_code": [f"No customer {code!r}."]}
        )
    if form.get("price_list_id", "").isdigit():
        data["price_list_id"] = int(form["price_list_id"])
    for n in range(FORM_LINES):
        product = form.get(f"product_{n}", "")
        if product.isdigit():
            data["lines"].append(
                {
                    "product_id": int(product),
                    "quantity": form.get(f"quantity_{n}", "1"),
                    "discount_percent": form.get(f"discount_{n}", "0"),
                }
            )
    return data


@bp.route("/quotes", methods=["POST"])
@login_required
def create_quote() -> Response | str:
    """Make the quote; a refusal shows the form again with what was typed."""
    session = get_host().session
    user = current_user.user
    authorize(session, user, QUOTES_WRITE)
    try:
        quote = quotes.create_quote(session, _posted_quote(session), actor=user)
        session.commit()
    except CrmError as error:
        _refused(error)
        return _quote_form(request.form)
    flash(gettext("Quote %(number)s made.", number=quote.number))
    return redirect(url_for(".quote_page", quote_id=quote.id))


@bp.route("/quotes/<id:quote_id>")
@login_required
def quote_page(quote_id: int) -> str:
    """One quote: its lines, totals, status, and the next steps it allows."""
    session = get_host().session
    authorize(session, current_user.user, QUOTES_READ)
    quote = quotes.get_quote(session, quote_id)
    return render_template(
        "sales/quote.html",
        quote=quote,
        customer=session.get(Customer, quote.customer_id),
        price_list=pricing.get_price_list(session, quote.price_list_id),
        next_statuses=sorted(s.value for s in quotes.NEXT.get(quote.status, ())),
    )


@bp.route("/quotes/<id:quote_id>/status", methods=["POST"])
@login_required
def quote_status(quote_id: int) -> Response:
    """Send, accept, reject or expire the quote; accepting records its order."""
    session = get_host().session
    user = current_user.user
    authorize(session, user, QUOTES_WRITE)
    try:
        quote = quotes.get_quote(session, quote_id)
        check_form_version(quote, request.form)
        order = quotes.set_status(session, quote, _form().get("status", ""), actor=user)
        session.commit()
        if order is not None:
            flash(gettext("Order %(number)s recorded.", number=order.number))
    except CrmError as error:
        _refused(error)
    return redirect(url_for(".quote_page", quote_id=quote_id))


@bp.route("/customers/<id:customer_id>/price-list", methods=["POST"])
@login_required
def customer_price_list(customer_id: int) -> Response:
    """Give the customer a price list of their own (an empty choice: the default list)."""
    session = get_host().session
    user = current_user.user
    authorize(session, user, PRODUCTS_WRITE)
    chosen = _form().get("price_list_id")
    try:
        customer = session.get(Customer, customer_id)
        if customer is None:
            raise ValidationFailed(f"no customer {customer_id}")
        price_list_id = int(chosen) if chosen and chosen.isdigit() else None
        if chosen and price_list_id is None:
            raise ValidationFailed(
                "the price list is not valid", details={"price_list_id": ["A price list id."]}
            )
        customer_prices.assign(session, customer, price_list_id, actor=user)
        session.commit()
        flash(gettext("The customer's price list has been saved."))
    except CrmError as error:
        _refused(error)
    return redirect(url_for("customer_pages.view", customer_id=customer_id))
