"""Tariffs and their time-of-use periods: ``/tariffs``."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask.views import MethodView

from crm_host.sdk import require
from crm_industry_power import permissions as p
from crm_industry_power import tariffs
from crm_industry_power.api.blueprint import blp, current_session
from crm_industry_power.models import Tariff
from crm_industry_power.schemas import tariffs as s


@blp.route("/tariffs")
class Tariffs(MethodView):
    @require(p.TARIFFS_READ)
    @blp.response(200, s.TariffOut(many=True))
    def get(self) -> list[Tariff]:
        """Every tariff with its time-of-use periods."""
        return list(current_session().scalars(sa.select(Tariff).order_by(Tariff.code)))

    @require(p.TARIFFS_MANAGE)
    @blp.arguments(s.TariffIn)
    @blp.response(201, s.TariffOut)
    def post(self, data: dict[str, Any]) -> Tariff:
        """Define a tariff: prices per period and the peak and valley hours (the rest is flat)."""
        session = current_session()
        tariff = tariffs.save_tariff(session, data)
        session.commit()
        return tariff


@blp.route("/tariffs/<id:tariff_id>")
class TariffResource(MethodView):
    @require(p.TARIFFS_READ)
    @blp.response(200, s.TariffOut)
    def get(self, tariff_id: int) -> Tariff:
        """One tariff."""
        return tariffs.get_tariff(current_session(), tariff_id)

    @require(p.TARIFFS_MANAGE)
    @blp.arguments(s.TariffIn(partial=True))
    @blp.response(200, s.TariffOut)
    def patch(self, data: dict[str, Any], tariff_id: int) -> Tariff:
        """Change prices or periods; bills already computed keep their amounts."""
        session = current_session()
        tariff = tariffs.save_tariff(session, data, tariffs.get_tariff(session, tariff_id))
        session.commit()
        return tariff
