"""Charts: a small helper plugins share, drawn by the vendored ECharts from JSON endpoints.

A page places ``{% include "crm/_chart.html" %}`` with a :class:`Chart` in ``chart``;
the script ``crm/charts.js`` fetches the chart's URL and draws it. Endpoints answer
with :func:`chart_json`, so every chart of the console has one data shape.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from flask import Blueprint, Response, jsonify, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from crm_host.console._access import page
from crm_host.core.host import get_host
from crm_host.core.models import Customer, CustomerKind, LifecycleStage

bp = Blueprint("charts", __name__, url_prefix="/charts")

KINDS = ("bar", "line", "pie")


@dataclass(frozen=True)
class Chart:
    """A chart on a page: its title, the JSON endpoint feeding it and how to draw it."""

    title: str
    url: str
    kind: str = "bar"
    height: str = "18rem"

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"chart kind {self.kind!r} is not one of {', '.join(KINDS)}")


def chart_json(
    labels: Sequence[str], series: dict[str, Sequence[float]], *, unit: str = ""
) -> Response:
    """The JSON a chart endpoint answers with: category labels and named value series."""
    for name, values in series.items():
        if len(values) != len(labels):
            raise ValueError(f"series {name!r} has {len(values)} values for {len(labels)} labels")
    return jsonify(
        labels=[str(label) for label in labels],
        series=[{"name": str(name), "values": list(values)} for name, values in series.items()],
        unit=unit,
    )


STAGE_LABELS = {
    "lead": _l("Lead"),
    "prospect": _l("Prospect"),
    "customer": _l("Customer"),
    "inactive": _l("Inactive"),
}
KIND_LABELS = {"person": _l("Person"), "organization": _l("Organization")}


def dashboard_charts() -> list[Chart]:
    """The host's charts on the dashboard."""
    return [
        Chart(_("Customers by lifecycle stage"), url_for("charts.customers_by_stage")),
        Chart(_("Customers by kind"), url_for("charts.customers_by_kind"), kind="pie"),
    ]


def _counts(column: sa.ColumnElement[object]) -> dict[str, int]:
    session = get_host().session
    rows = session.execute(
        sa.select(column, sa.func.count()).where(Customer.archived_at.is_(None)).group_by(column)
    )
    return {getattr(value, "value", value): count for value, count in rows}


@bp.route("/customers-by-stage")
@page("host.customers.read")
def customers_by_stage() -> Response:
    """Active customers counted per lifecycle stage."""
    counts = _counts(Customer.lifecycle_stage)
    stages = [s.value for s in LifecycleStage]
    return chart_json(
        [str(STAGE_LABELS.get(s, s)) for s in stages],
        {_("Customers"): [counts.get(s, 0) for s in stages]},
    )


@bp.route("/customers-by-kind")
@page("host.customers.read")
def customers_by_kind() -> Response:
    """Active customers counted per kind (person, organisation)."""
    counts = _counts(Customer.kind)
    kinds = [k.value for k in CustomerKind]
    return chart_json(
        [str(KIND_LABELS.get(k, k)) for k in kinds],
        {_("Customers"): [counts.get(k, 0) for k in kinds]},
    )
