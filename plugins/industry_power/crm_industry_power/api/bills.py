"""Monthly bills of an account: ``/accounts/<id>/bills``."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask.views import MethodView

from crm_host.sdk import ValidationFailed, require
from crm_industry_power import bills, profiles
from crm_industry_power import permissions as p
from crm_industry_power.api.blueprint import blp, current_session
from crm_industry_power.models import Bill
from crm_industry_power.schemas import bills as s
from crm_industry_power.zones import company_timezone


@blp.route("/accounts/<id:account_id>/bills")
class AccountBills(MethodView):
    @require(p.ACCOUNTS_READ)
    @blp.response(200, s.BillOut(many=True))
    def get(self, account_id: int) -> list[Bill]:
        """The account's bills, newest month first."""
        session = current_session()
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
        session = current_session()
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
