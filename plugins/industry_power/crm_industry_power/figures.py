"""The metric set of a day's load curve, in the account's own unit: the one list every
surface shows — ``crm power load-curve``, the API's load curve, the console's account
page and the monthly report — so none of them can leave a metric out.

The metrics are computed by :func:`.loadcurve.metrics` (in kW and kWh, as stored);
here they are chosen, ordered, labelled and put in the account's display unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from crm_industry_power.loadcurve import DayMetrics
from crm_industry_power.readings.units import DISPLAY_SCALE

#: (key, label, short name, kind) of every metric shown, in the order shown.
METRIC_SET: tuple[tuple[str, str, str, str], ...] = (
    ("max_demand", "Maximum demand", "max", "demand"),
    ("min_demand", "Minimum demand", "min", "demand"),
    ("avg_demand", "Average demand", "avg", "demand"),
    ("load_factor", "Load factor", "load factor", "ratio"),
    ("min_ratio", "Minimum-load ratio", "min-load ratio", "ratio"),
    ("peak_valley_rate", "Peak–valley difference rate", "peak-valley rate", "ratio"),
    ("utilisation", "Capacity utilisation", "utilisation", "ratio"),
    ("energy", "Energy", "energy", "energy"),
)


@dataclass(frozen=True)
class Figure:
    """One metric of a day: its key, English label and short name, value (``None``: none that day),
    unit (``kW``/``MW``, ``kWh``/``MWh``, or ``""`` for a ratio) and kind."""

    key: str
    label: str
    short: str
    value: float | None
    unit: str
    kind: str

    def text(self, demand_digits: int = 3, ratio_digits: int = 4) -> str:
        """The value as printed: demand and energy to ``demand_digits`` places, a ratio
        as a fraction to ``ratio_digits``; ``-`` when there is none."""
        if self.value is None:
            return "-"
        digits = ratio_digits if self.kind == "ratio" else demand_digits
        return f"{self.value:.{digits}f}"


def figures(metrics: DayMetrics, display_unit: str = "kW") -> list[Figure]:
    """The metric set of ``metrics`` in ``display_unit`` (kW or MW; energy in kWh or MWh)."""
    scale = DISPLAY_SCALE.get(display_unit, 1)
    values: dict[str, float | Decimal | None] = {
        "max_demand": metrics.max_kw,
        "min_demand": metrics.min_kw,
        "avg_demand": metrics.avg_kw,
        "load_factor": metrics.load_factor,
        "min_ratio": metrics.min_ratio,
        "peak_valley_rate": metrics.peak_valley_rate,
        "utilisation": metrics.utilisation,
        "energy": metrics.energy_kwh,
    }
    units = {"demand": display_unit, "energy": f"{display_unit}h", "ratio": ""}
    result = []
    for key, label, short, kind in METRIC_SET:
        value = values[key]
        if value is not None:
            value = float(value) / scale if kind != "ratio" else float(value)
        result.append(Figure(key, label, short, value, units[kind], kind))
    return result


def line(metrics: DayMetrics, display_unit: str = "kW") -> str:
    """The metric set on one line, as the command prints it."""
    parts = []
    for figure in figures(metrics, display_unit):
        unit = f" {figure.unit}" if figure.unit else ""
        parts.append(f"{figure.short} {figure.text()}{unit}")
    return ", ".join(parts)
