"""Faults and crew arrivals: ``/faults``, ``/accounts/<id>/faults``."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask.views import MethodView
from flask_login import current_user

from crm_host.sdk import require
from crm_industry_power import faults, profiles
from crm_industry_power import permissions as p
from crm_industry_power.api.blueprint import blp, current_session
from crm_industry_power.models import Fault
from crm_industry_power.schemas import faults as s


@blp.route("/faults")
class Faults(MethodView):
    @require(p.FAULTS_READ)
    @blp.arguments(s.FaultQuery, location="query")
    @blp.response(200, s.FaultOut(many=True))
    def get(self, args: dict[str, Any]) -> list[Fault]:
        """Reported faults, newest first."""
        query = sa.select(Fault).order_by(Fault.id.desc()).limit(args["limit"])
        if args["account_id"] is not None:
            query = query.where(Fault.account_id == args["account_id"])
        return list(current_session().scalars(query))


@blp.route("/accounts/<id:account_id>/faults")
class AccountFaults(MethodView):
    @require(p.FAULTS_WRITE)
    @blp.arguments(s.FaultIn)
    @blp.response(201, s.FaultOut)
    def post(self, data: dict[str, Any], account_id: int) -> Fault:
        """Report a fault: a service ticket when the service plugin is installed, else a record."""
        session = current_session()
        account = profiles.get_account(session, account_id)
        fault = faults.report_fault(
            session, account, data, actor=current_user.user, settings=current_app.config
        )
        session.commit()
        return fault


@blp.route("/faults/<id:fault_id>/arrival")
class FaultArrival(MethodView):
    @require(p.FAULTS_READ)
    @blp.response(200, s.ArrivalOut)
    def get(self, fault_id: int) -> dict[str, Any]:
        """The fault's arrival clock: when a crew is due, when it came, whether it was late."""
        session = current_session()
        return faults.arrival(session, faults.get_fault(session, fault_id))

    @require(p.FAULTS_WRITE)
    @blp.response(200, s.ArrivalOut)
    def post(self, fault_id: int) -> dict[str, Any]:
        """The crew checks in on site: the arrival clock stops."""
        session = current_session()
        fault = faults.check_in(
            session, faults.get_fault(session, fault_id), actor=current_user.user
        )
        session.commit()
        return faults.arrival(session, fault)
