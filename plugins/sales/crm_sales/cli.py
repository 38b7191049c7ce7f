"""``crm sales …``: leads, the pipeline, the forecast and lead-scoring rules from the shell."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from crm_host.sdk import CrmError, Customer, User, fail, get_host
from crm_sales import (
    assignment,
    checks,
    crosssell,
    customer_prices,
    forecast,
    performance,
    pipeline,
    pricing,
    quotes,
    scoring,
)
from crm_sales.models import Lead, PriceList, Product, Quote, ScoringRule


def register(cli: AppGroup) -> None:
    """Add the sales commands to the ``crm sales`` group the host made."""

    @cli.group("leads")
    def leads_group() -> None:
        """Leads."""

    @leads_group.command("list")
    @click.option("--status", help="Only leads with this status (new, qualified…).")
    @click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10_000))
    def list_leads(status: str | None, limit: int) -> None:
        """List leads, newest first: id, status, score, name, company, source."""
        query = sa.select(Lead).order_by(Lead.id.desc()).limit(limit)
        if status:
            query = query.where(Lead.status == status)
        for lead in get_host().session.scalars(query):
            click.echo(
                "\t".join(
                    [
                        str(lead.id),
                        lead.status.value,
                        str(lead.score),
                        lead.name,
                        lead.company or "-",
                        lead.source or "-",
                    ]
                )
            )

    @cli.command("pipeline")
    def pipeline_command() -> None:
        """Open deals per stage: count, value and weighted value per currency."""
        for stage in forecast.pipeline_summary(get_host().session):
            values = (
                ", ".join(
                    f"{stage.amounts[c]:.2f} {c} (weighted {stage.weighted[c]:.2f})"
                    for c in sorted(stage.amounts)
                )
                or "-"
            )
            click.echo(f"{stage.code}\t{stage.probability}%\t{stage.count}\t{values}")

    @cli.command("stages")
    def stages_command() -> None:
        """The pipeline stages in board order: code, probability, name, and won/lost."""
        for stage in pipeline.stages(get_host().session):
            closes = "won" if stage.is_won else "lost" if stage.is_lost else "open"
            click.echo(f"{stage.code}\t{stage.probability}%\t{stage.name}\t{closes}")

    @cli.command("forecast")
    def forecast_command() -> None:
        """Weighted value of open deals by expected close month and currency."""
        rows = forecast.forecast(get_host().session)
        if not rows:
            click.echo("no open deals")
        for row in rows:
            click.echo(
                f"{row['month'] or 'no date'}\t{row['currency']}\t{row['count']}\t"
                f"{row['amount']:.2f}\t{row['weighted']:.2f}"
            )

    @cli.command("funnel")
    def funnel_command() -> None:
        """Deals reaching each stage, the conversion from the step before, the win rate."""
        session = get_host().session
        for step in performance.funnel(session):
            share = f"{step.conversion:.2%}" if step.conversion is not None else "-"
            click.echo(f"{step.code}\t{step.reached}\t{share}")
        rate = performance.win_rate(session)
        days = performance.average_cycle_days(session)
        click.echo(f"win rate\t{rate:.2%}" if rate is not None else "win rate\t-")
        click.echo(f"average cycle\t{days} days" if days is not None else "average cycle\t-")

    @cli.command("rules")
    @click.option(
        "--min-support", default=0.01, show_default=True, type=click.FloatRange(0.0001, 1)
    )
    @click.option("--min-confidence", default=0.3, show_default=True, type=click.FloatRange(0, 1))
    @click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10_000))
    def rules_command(min_support: float, min_confidence: float, limit: int) -> None:
        """Cross-sell rules from the orders: antecedent => consequent, support, confidence, lift."""
        session = get_host().session
        codes = dict(session.execute(sa.select(Product.id, Product.code)).all())
        mined = crosssell.mine(session, min_support, min_confidence)
        if not mined:
            click.echo("no rules at these thresholds")
        for rule in mined[:limit]:
            left = ",".join(sorted(codes[i] for i in rule.antecedent))
            right = ",".join(sorted(codes[i] for i in rule.consequent))
            click.echo(
                f"{left} => {right}\t{rule.support:.4f}\t{rule.confidence:.4f}\t{rule.lift:.4f}"
            )

    @cli.group("price-lists")
    def price_lists_group() -> None:
        """Price lists."""

    @price_lists_group.command("list")
    def list_price_lists() -> None:
        """Every list: code, currency, validity, default, and how many products it prices."""
        session = get_host().session
        for price_list in session.scalars(sa.select(PriceList).order_by(PriceList.code)):
            window = f"{price_list.valid_from or '-'}..{price_list.valid_to or '-'}"
            flag = "default" if price_list.is_default else "-"
            click.echo(
                f"{price_list.code}\t{price_list.currency}\t{window}\t{flag}\t"
                f"{len(price_list.prices)}\t{price_list.name}"
            )

    @price_lists_group.command("add")
    @click.argument("code")
    @click.argument("name")
    @click.option("--currency", default="CNY", show_default=True)
    @click.option("--valid-from", help="First day the list applies (YYYY-MM-DD).")
    @click.option("--valid-to", help="Last day the list applies (YYYY-MM-DD).")
    @click.option("--default", "is_default", is_flag=True, help="Make it the default list.")
    def add_price_list(
        code: str,
        name: str,
        currency: str,
        valid_from: str | None,
        valid_to: str | None,
        is_default: bool,
    ) -> None:
        """Add a price list."""
        session = get_host().session
        data = {
            "code": code,
            "name": name,
            "currency": currency,
            "valid_from": valid_from,
            "valid_to": valid_to,
            "is_default": is_default,
        }
        try:
            price_list = pricing.create_price_list(session, data)
            session.commit()
        except CrmError as error:
            session.rollback()
            raise fail(error) from error
        click.echo(f"price list {price_list.code} added (id {price_list.id})")

    @price_lists_group.command("price")
    @click.argument("list_code")
    @click.argument("product_code")
    @click.argument("unit_price")
    def set_price(list_code: str, product_code: str, unit_price: str) -> None:
        """Price PRODUCT_CODE at UNIT_PRICE on the list LIST_CODE."""
        session = get_host().session
        price_list = session.scalar(sa.select(PriceList).where(PriceList.code == list_code))
        product = session.scalar(sa.select(Product).where(Product.code == product_code))
        if price_list is None:
            raise click.ClickException(f"no price list with code {list_code!r}")
        if product is None:
            raise click.ClickException(f"no product with code {product_code!r}")
        try:
            pricing.set_price(session, price_list, product.id, unit_price)
            session.commit()
        except CrmError as error:
            session.rollback()
            raise fail(error) from error
        click.echo(f"{product.code} costs {unit_price} {price_list.currency} on {price_list.code}")

    @price_lists_group.command("assign")
    @click.argument("customer_code")
    @click.argument("list_code", required=False)
    @click.option("--clear", is_flag=True, help="Take the customer's own list away.")
    def assign_price_list(customer_code: str, list_code: str | None, clear: bool) -> None:
        """Price CUSTOMER_CODE's quotes from LIST_CODE (or, with --clear, the default)."""
        if bool(list_code) == clear:
            raise click.UsageError("name a LIST_CODE, or pass --clear")
        session = get_host().session
        customer = session.scalar(sa.select(Customer).where(Customer.code == customer_code))
        if customer is None:
            raise click.ClickException(f"no customer with code {customer_code!r}")
        price_list = None
        if list_code:
            price_list = session.scalar(sa.select(PriceList).where(PriceList.code == list_code))
            if price_list is None:
                raise click.ClickException(f"no price list with code {list_code!r}")
        try:
            customer_prices.assign(session, customer, price_list.id if price_list else None)
            session.commit()
        except CrmError as error:
            session.rollback()
            raise fail(error) from error
        which = price_list.code if price_list else "the default list"
        click.echo(f"{customer.code}'s quotes are priced from {which}")

    @cli.group("quotes")
    def quotes_group() -> None:
        """Quotes."""

    @quotes_group.command("list")
    @click.option("--status", type=click.Choice([s.value for s in quotes.QuoteStatus]))
    @click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10_000))
    def list_quotes(status: str | None, limit: int) -> None:
        """Quotes, newest first: id, number, status, customer id, total, currency, order."""
        query = sa.select(Quote).order_by(Quote.id.desc()).limit(limit)
        if status:
            query = query.where(Quote.status == quotes.QuoteStatus(status))
        for quote in get_host().session.scalars(query):
            order = f"order {quote.order_id}" if quote.order_id else "-"
            click.echo(
                f"{quote.id}\t{quote.number}\t{quote.status.value}\t{quote.customer_id}\t"
                f"{quote.total:.2f}\t{quote.currency}\t{order}"
            )

    @quotes_group.command("add")
    @click.argument("customer_code")
    @click.argument("lines", nargs=-1, required=True)
    @click.option("--price-list", "list_code", help="Price list code (the default list if not).")
    @click.option("--valid-until", help="Last day the offer holds (YYYY-MM-DD).")
    def add_quote(
        customer_code: str, lines: tuple[str, ...], list_code: str | None, valid_until: str | None
    ) -> None:
        """Make a draft quote; each line is PRODUCT_CODE[:QUANTITY[:DISCOUNT_PERCENT]]."""
        session = get_host().session
        customer = session.scalar(sa.select(Customer).where(Customer.code == customer_code))
        if customer is None:
            raise click.ClickException(f"no customer with code {customer_code!r}")
        price_list_id = None
        if list_code:
            price_list_id = session.scalar(
                sa.select(PriceList.id).where(PriceList.code == list_code)
            )
            if price_list_id is None:
                raise click.ClickException(f"no price list with code {list_code!r}")
        raw_lines = []
        for n, text in enumerate(lines, start=1):
            parts = text.split(":")
            code = parts[0]
            quantity = parts[1] if len(parts) > 1 else "1"
            discount = parts[2] if len(parts) > 2 else "0"
            product_id = session.scalar(sa.select(Product.id).where(Product.code == code))
            if product_id is None or len(parts) > 3:
                raise click.ClickException(
                    f"line {n} ({text!r}): give PRODUCT_CODE[:QUANTITY[:DISCOUNT]] of a product"
                )
            raw_lines.append(
                {"product_id": product_id, "quantity": quantity, "discount_percent": discount}
            )
        data = {
            "customer_id": customer.id,
            "price_list_id": price_list_id,
            "valid_until": valid_until,
            "lines": raw_lines,
        }
        try:
            quote = quotes.create_quote(session, data)
            session.commit()
        except CrmError as error:
            session.rollback()
            raise fail(error) from error
        click.echo(
            f"quote {quote.number} (id {quote.id}): subtotal {quote.subtotal:.2f}, "
            f"discount {quote.discount:.2f}, total {quote.total:.2f} {quote.currency}"
        )

    @quotes_group.command("status")
    @click.argument("quote_id", type=int)
    @click.argument("status", type=click.Choice(["sent", "accepted", "rejected", "expired"]))
    def quote_status(quote_id: int, status: str) -> None:
        """Send, accept, reject or expire a quote; accepting records its order."""
        session = get_host().session
        try:
            quote = quotes.get_quote(session, quote_id)
            order = quotes.set_status(session, quote, status)
            session.commit()
        except CrmError as error:
            session.rollback()
            raise fail(error) from error
        made = f"; order {order.number} recorded" if order else ""
        click.echo(f"quote {quote.number} {status}{made}")

    @quotes_group.command("expire")
    def expire_quotes() -> None:
        """Mark sent quotes past their validity as expired."""
        session = get_host().session
        count = quotes.expire_due(session)
        session.commit()
        click.echo(f"{count} quotes expired")

    @cli.group("assignment")
    def assignment_group() -> None:
        """How new leads find an owner, per department."""

    def _department(session, value: str) -> int:
        errors: checks.Errors = {}
        found = checks.department_id(session, value, "department", errors)
        if found is None:
            raise click.ClickException(f"no department {value!r}")
        return found

    @assignment_group.command("show")
    @click.argument("department")
    def show_assignment(department: str) -> None:
        """The method, then each seller: username, open leads and deals, capacity."""
        session = get_host().session
        summary = assignment.overview(session, _department(session, department))
        click.echo(f"method\t{summary['method']}")
        for seller in summary["sellers"]:
            cap = "-" if seller["capacity"] is None else seller["capacity"]
            click.echo(f"{seller['username']}\t{seller['open']}\t{cap}")

    @assignment_group.command("method")
    @click.argument("department")
    @click.argument("method", type=click.Choice(["round_robin", "least_loaded"]))
    def set_method(department: str, method: str) -> None:
        """Assign the department's new leads round-robin or to the least loaded seller."""
        session = get_host().session
        assignment.set_method(session, _department(session, department), method)
        session.commit()
        click.echo(f"{department}: {method}")

    @assignment_group.command("capacity")
    @click.argument("username")
    @click.argument("capacity")
    def set_capacity(username: str, capacity: str) -> None:
        """Cap a seller's open leads and deals (a number, or "none" to lift the cap)."""
        session = get_host().session
        user = session.scalar(sa.select(User).where(User.username == username))
        if user is None:
            raise click.ClickException(f"no user {username!r}")
        if capacity != "none" and not capacity.isdigit():
            raise click.ClickException(f"capacity {capacity!r}: a whole number, or none")
        try:
            assignment.set_capacity(session, user.id, None if capacity == "none" else int(capacity))
            session.commit()
        except CrmError as error:
            session.rollback()
            raise fail(error) from error
        click.echo(f"{username}: capacity {capacity}")

    @cli.group("scoring")
    def scoring_group() -> None:
        """Lead-scoring rules."""

    @scoring_group.command("list")
    def list_rules() -> None:
        """The active rules: id, field, operator, value, points."""
        for rule in scoring.active_rules(get_host().session):
            click.echo(f"{rule.id}\t{rule.field}\t{rule.operator}\t{rule.value}\t{rule.points}")

    @scoring_group.command("add")
    @click.argument("field", type=click.Choice(scoring.FIELDS))
    @click.argument("operator", type=click.Choice(scoring.OPERATORS))
    @click.argument("points", type=int)
    @click.option("--value", default="", help="What the field is compared with.")
    def add_rule(field: str, operator: str, points: int, value: str) -> None:
        """Add a rule: leads whose FIELD matches get POINTS; existing leads are rescored."""
        session = get_host().session
        try:
            rule = scoring.add_rule(
                session, {"field": field, "operator": operator, "value": value, "points": points}
            )
            changed = scoring.rescore_all(session)
            session.commit()
        except CrmError as error:
            session.rollback()
            raise fail(error) from error
        click.echo(f"rule {rule.id} added; {changed} leads rescored")

    @scoring_group.command("remove")
    @click.argument("rule_id", type=int)
    def remove_rule(rule_id: int) -> None:
        """Switch a rule off (kept for the record); existing leads are rescored."""
        session = get_host().session
        rule = session.get(ScoringRule, rule_id)
        if rule is None:
            raise click.ClickException(f"no scoring rule with id {rule_id}")
        rule.active = False
        changed = scoring.rescore_all(session)
        session.commit()
        click.echo(f"rule {rule_id} switched off; {changed} leads rescored")
