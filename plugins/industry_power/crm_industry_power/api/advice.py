"""Energy-saving and grid-upgrade advice: ``/advice``, ``/accounts/<id>/advice``."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from crm_host.sdk import require, utcnow
from crm_industry_power import advice, profiles
from crm_industry_power import permissions as p
from crm_industry_power.api.blueprint import blp, current_session
from crm_industry_power.models import Advice
from crm_industry_power.schemas import advice as s
from crm_industry_power.zones import company_timezone


@blp.route("/advice")
class AdviceList(MethodView):
    @require(p.ADVICE_READ)
    @blp.arguments(s.AdviceQuery, location="query")
    @blp.response(200, s.AdviceOut(many=True))
    def get(self, args: dict[str, Any]) -> list[Advice]:
        """Stored advice over every account: grid upgrades first, then the largest savings."""
        return advice.stored(current_session(), limit=args["limit"])


@blp.route("/accounts/<id:account_id>/advice")
class AccountAdvice(MethodView):
    @require(p.ADVICE_READ)
    @blp.response(200, s.AdviceOut(many=True))
    def get(self, account_id: int) -> list[Advice]:
        """The account's stored advice."""
        session = current_session()
        profiles.get_account(session, account_id)
        return advice.stored(session, account_id)

    @require(p.ADVICE_WRITE)
    @blp.arguments(s.AdviceRefreshIn)
    @blp.response(200, s.AdviceOut(many=True))
    def post(self, data: dict[str, Any], account_id: int) -> list[Advice]:
        """Recompute the account's advice over the 30 days ending ``last_day`` (today)."""
        session = current_session()
        account = profiles.get_account(session, account_id)
        tz = company_timezone()
        last = data["last_day"] or utcnow().astimezone(tz).date()
        rows = advice.refresh(session, account, last, tz)
        session.commit()
        return rows
