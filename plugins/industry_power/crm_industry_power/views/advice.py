"""The console page of stored advice."""

from __future__ import annotations

import sqlalchemy as sa
from flask import render_template

from crm_host.sdk import get_host
from crm_host.sdk.web import page
from crm_industry_power import advice
from crm_industry_power import permissions as p
from crm_industry_power.models import Account
from crm_industry_power.views.blueprint import bp
from crm_industry_power.views.labels import LIMIT, labels


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
    return render_template("power/advice.html", rows=rows, accounts=accounts_by_id, **labels())
