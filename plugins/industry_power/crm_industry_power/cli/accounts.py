"""``crm power accounts create|list|show``, ``crm power meters add`` and ``crm power
equipment add``: the profile of a customer's supply from the shell.

The commands call the same functions as the API (:mod:`crm_industry_power.profiles`),
so a value either refuses is refused by both; a refusal is one line naming the field
(exit 1), never a traceback.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from crm_host.sdk import CrmError, Customer, get_host
from crm_industry_power import profiles
from crm_industry_power.cli.common import account_by_number
from crm_industry_power.models import (
    CATEGORIES,
    DISPLAY_UNITS,
    EQUIPMENT_KINDS,
    QUANTITIES,
    VOLTAGE_LEVELS,
    Account,
    Equipment,
)

#: The command's name for a field of the profile, where it differs.
OPTION_OF = {
    "contracted_kva": "--kva",
    "customer_id": "--customer",
    "service_point": "--service-point",
    "voltage_level": "--voltage-level",
    "display_unit": "--display-unit",
    "account_id": "--account",
    "rated_kva": "--rated-kva",
    "installed_on": "--installed-on",
}


def _one_line(error: CrmError) -> click.ClickException:
    """The refusal as one line: each field (and its option) with its problem."""
    if not error.details:
        return click.ClickException(error.message)
    parts = []
    for field, problems in error.details.items():
        option = OPTION_OF.get(field, f"--{field.replace('_', '-')}")
        text = " ".join(problems) if isinstance(problems, list) else str(problems)
        parts.append(f"{field} ({option}): {text}")
    return click.ClickException(f"{error.message}: " + "; ".join(parts))


def _save(action: Any, *args: Any) -> Any:
    """Run a profile function and commit, or roll back and raise the one-line refusal."""
    session = get_host().session
    try:
        row = action(session, *args)
        session.commit()
    except CrmError as error:
        session.rollback()
        raise _one_line(error) from None
    return row


def _customer_id(value: str) -> int:
    """The id of the customer with this code (or id), or a one-line error naming it."""
    session = get_host().session
    found = session.scalar(sa.select(Customer.id).where(Customer.code == value))
    if found is None and value.isdigit():
        found = session.scalar(sa.select(Customer.id).where(Customer.id == int(value)))
    if found is None:
        raise click.ClickException(f"customer (--customer): no customer {value}")
    return found


@click.group("accounts")
def accounts_group() -> None:
    """Accounts (户号): create, list and show."""


@accounts_group.command("create")
@click.argument("number")
@click.option("--customer", required=True, help="The customer's code (or id).")
@click.option("--service-point", required=True, help="Where the supply is.")
@click.option("--category", required=True, type=click.Choice(list(CATEGORIES)))
@click.option("--voltage-level", required=True, type=click.Choice(VOLTAGE_LEVELS))
@click.option("--kva", required=True, help="Contracted capacity (capped by the category).")
@click.option("--tariff", default=None, help="A tariff's code.")
@click.option("--display-unit", type=click.Choice(DISPLAY_UNITS), default="kW", show_default=True)
@click.option("--refuse-overload", is_flag=True, help="Refuse readings over 3× the capacity.")
@click.option("--key-customer", is_flag=True, help="A key customer (重点客户).")
@with_appcontext
def create_account(number: str, customer: str, kva: str, **options: Any) -> None:
    """Create account NUMBER of a customer."""
    data = {"number": number, "customer_id": _customer_id(customer), "contracted_kva": kva}
    data.update(options)
    account = _save(profiles.save_account, data)
    click.echo(f"account {account.number} created (id {account.id})")


@accounts_group.command("list")
@click.option("--customer", default=None, help="Only this customer's (code or id).")
@click.option("--category", default=None, type=click.Choice(list(CATEGORIES)))
@with_appcontext
def list_accounts(customer: str | None, category: str | None) -> None:
    """Accounts by number: number, category, capacity, display unit, service point."""
    query = sa.select(Account).order_by(Account.number)
    if customer is not None:
        query = query.where(Account.customer_id == _customer_id(customer))
    if category is not None:
        query = query.where(Account.category == category)
    for account in get_host().session.scalars(query):
        click.echo(
            f"{account.number}\t{account.category}\t{account.contracted_kva} kVA\t"
            f"{account.display_unit}\t{account.service_point}"
        )


@accounts_group.command("show")
@click.argument("number")
@with_appcontext
def show_account(number: str) -> None:
    """Account NUMBER: its profile, meters and equipment."""
    account = account_by_number(number)
    fields = (
        ("number", account.number),
        ("customer", account.customer_id),
        ("service point", account.service_point),
        ("category", account.category),
        ("voltage level", account.voltage_level),
        ("contracted kVA", account.contracted_kva),
        ("tariff", account.tariff.code if account.tariff else "-"),
        ("display unit", account.display_unit),
        ("refuse overload", "yes" if account.refuse_overload else "no"),
        ("key customer", "yes" if account.key_customer else "no"),
    )
    for name, value in fields:
        click.echo(f"{name}: {value}")
    for meter in account.meters:
        click.echo(f"meter {meter.number}: ×{meter.multiplier}, {meter.quantity}"
                   + ("" if meter.active else ", inactive"))  # fmt: skip
    items = get_host().session.scalars(
        sa.select(Equipment).where(Equipment.account_id == account.id).order_by(Equipment.id)
    )
    for item in items:
        rated = f", {item.rated_kva} kVA" if item.rated_kva is not None else ""
        click.echo(f"equipment {item.kind}: {item.name}{rated}")


@click.group("meters")
def meters_group() -> None:
    """Meters of accounts."""


@meters_group.command("add")
@click.argument("number")
@click.option("--account", "account_number", required=True, help="The account's number.")
@click.option("--multiplier", default=None, help="CT × PT ratio (default 1).")
@click.option("--quantity", type=click.Choice(QUANTITIES), default="active", show_default=True)
@with_appcontext
def add_meter(number: str, account_number: str, multiplier: str | None, quantity: str) -> None:
    """Add meter NUMBER to an account."""
    account = account_by_number(account_number)
    data = {"number": number, "account_id": account.id, "multiplier": multiplier}
    meter = _save(profiles.save_meter, {**data, "quantity": quantity})
    click.echo(f"meter {meter.number} added to {account.number}")


@click.group("equipment")
def equipment_group() -> None:
    """Equipment at accounts' service points."""


@equipment_group.command("add")
@click.argument("account_number")
@click.option("--kind", required=True, type=click.Choice(EQUIPMENT_KINDS))
@click.option("--name", required=True)
@click.option("--model", default=None)
@click.option("--rated-kva", default=None)
@click.option("--installed-on", default=None, help="YYYY-MM-DD.")
@with_appcontext
def add_equipment(account_number: str, installed_on: str | None, **options: Any) -> None:
    """Record equipment at ACCOUNT_NUMBER's service point."""
    account = account_by_number(account_number)
    data: dict[str, Any] = dict(options)
    if installed_on is not None:
        try:
            data["installed_on"] = datetime.strptime(installed_on, "%Y-%m-%d").date()
        except ValueError:
            raise click.ClickException(
                f"installed_on (--installed-on): {installed_on!r} is not a date as YYYY-MM-DD"
            ) from None
    item = _save(profiles.add_equipment, account, data)
    click.echo(f"equipment {item.kind} {item.name} added to {account.number}")
