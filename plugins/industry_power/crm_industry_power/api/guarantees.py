"""Service guarantee types and guarantees: ``/guarantee-types``, ``/guarantees``."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask.views import MethodView
from flask_login import current_user

from crm_host.sdk import require
from crm_industry_power import guarantees
from crm_industry_power import permissions as p
from crm_industry_power.api.blueprint import blp, current_session
from crm_industry_power.models import Guarantee, GuaranteeType
from crm_industry_power.schemas import guarantees as s


@blp.route("/guarantee-types")
class GuaranteeTypes(MethodView):
    @require(p.GUARANTEES_READ)
    @blp.response(200, s.GuaranteeTypeOut(many=True))
    def get(self) -> list[GuaranteeType]:
        """The published commitments: targets and the credit owed on a breach."""
        return list(
            current_session().scalars(sa.select(GuaranteeType).order_by(GuaranteeType.code))
        )

    @require(p.GUARANTEES_MANAGE)
    @blp.arguments(s.GuaranteeTypeIn)
    @blp.response(201, s.GuaranteeTypeOut)
    def post(self, data: dict[str, Any]) -> GuaranteeType:
        """Define a guarantee type."""
        session = current_session()
        row = guarantees.save_type(session, data)
        session.commit()
        return row


@blp.route("/guarantee-types/<id:type_id>")
class GuaranteeTypeResource(MethodView):
    @require(p.GUARANTEES_READ)
    @blp.response(200, s.GuaranteeTypeOut)
    def get(self, type_id: int) -> GuaranteeType:
        """One guarantee type."""
        return guarantees.get_type(current_session(), type_id)

    @require(p.GUARANTEES_MANAGE)
    @blp.arguments(s.GuaranteeTypeIn(partial=True))
    @blp.response(200, s.GuaranteeTypeOut)
    def patch(self, data: dict[str, Any], type_id: int) -> GuaranteeType:
        """Change a type; guarantees already running keep the due time they were given."""
        session = current_session()
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
            current_session(), customer_id=args["customer_id"], breached=args["breached"]
        )

    @require(p.GUARANTEES_WRITE)
    @blp.arguments(s.GuaranteeIn)
    @blp.response(201, s.GuaranteeOut)
    def post(self, data: dict[str, Any]) -> Guarantee:
        """Start a guarantee for a customer and an event; its clock runs from ``started_at``."""
        session = current_session()
        row = guarantees.start(session, data, actor=current_user.user)
        session.commit()
        return row


@blp.route("/guarantees/<id:guarantee_id>")
class GuaranteeResource(MethodView):
    @require(p.GUARANTEES_READ)
    @blp.response(200, s.GuaranteeOut)
    def get(self, guarantee_id: int) -> Guarantee:
        """One guarantee with its due time, and the credit owed if it was missed."""
        return guarantees.get(current_session(), guarantee_id)


@blp.route("/guarantees/<id:guarantee_id>/met")
class GuaranteeMet(MethodView):
    @require(p.GUARANTEES_WRITE)
    @blp.response(200, s.GuaranteeOut)
    def post(self, guarantee_id: int) -> Guarantee:
        """The commitment was kept now: the clock stops (a second time is a conflict)."""
        session = current_session()
        row = guarantees.met(
            session, guarantees.get(session, guarantee_id), actor=current_user.user
        )
        session.commit()
        return row
