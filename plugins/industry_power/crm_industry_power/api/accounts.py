"""Accounts, meters and equipment: ``/accounts``, ``/meters``."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask.views import MethodView

from crm_host.sdk import require, utcnow
from crm_host.sdk.web import check_if_match, documents_etag, documents_if_match, send_etag
from crm_industry_power import classify, profiles
from crm_industry_power import permissions as p
from crm_industry_power.api.blueprint import blp, current_session
from crm_industry_power.models import Account, Equipment, Meter, ServiceClass
from crm_industry_power.schemas import accounts as s
from crm_industry_power.zones import company_timezone


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
        return list(current_session().scalars(query))

    @require(p.ACCOUNTS_WRITE)
    @blp.arguments(s.AccountIn)
    @blp.response(201, s.AccountOut)
    def post(self, data: dict[str, Any]) -> Account:
        """Open an account (户号) for a customer at a service point."""
        session = current_session()
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
        return send_etag(profiles.get_account(current_session(), account_id))

    @require(p.ACCOUNTS_WRITE)
    @blp.arguments(s.AccountIn(partial=True))
    @blp.response(200, s.AccountOut)
    @documents_if_match(blp)
    def patch(self, data: dict[str, Any], account_id: int) -> Account:
        """Change an account's service point, category, voltage, capacity or tariff."""
        session = current_session()
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
        session = current_session()
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
        return list(current_session().scalars(query))

    @require(p.ACCOUNTS_WRITE)
    @blp.arguments(s.MeterIn)
    @blp.response(201, s.MeterOut)
    def post(self, data: dict[str, Any]) -> Meter:
        """Add a meter to an account; its number is what readings files name."""
        session = current_session()
        meter = profiles.save_meter(session, data)
        session.commit()
        return meter


@blp.route("/meters/<id:meter_id>")
class MeterResource(MethodView):
    @require(p.ACCOUNTS_READ)
    @blp.response(200, s.MeterOut)
    def get(self, meter_id: int) -> Meter:
        """One meter."""
        return profiles.get_meter(current_session(), meter_id)

    @require(p.ACCOUNTS_WRITE)
    @blp.arguments(s.MeterIn(partial=True))
    @blp.response(200, s.MeterOut)
    def patch(self, data: dict[str, Any], meter_id: int) -> Meter:
        """Change a meter's multiplier or switch it off."""
        session = current_session()
        meter = profiles.save_meter(session, data, profiles.get_meter(session, meter_id))
        session.commit()
        return meter


@blp.route("/accounts/<id:account_id>/equipment")
class AccountEquipment(MethodView):
    @require(p.ACCOUNTS_READ)
    @blp.response(200, s.EquipmentOut(many=True))
    def get(self, account_id: int) -> list[Equipment]:
        """Transformers, motors and other equipment at the account's service point."""
        session = current_session()
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
        session = current_session()
        row = profiles.add_equipment(session, profiles.get_account(session, account_id), data)
        session.commit()
        return row
