"""The units a readings file may be in, and the one each is stored in.

Meters of customers report kW or kWh; bulk-supply points and substations report MW
or MWh, and reactive power in kvar or kvarh. Whatever the file's unit, readings are
stored as interval energy in thousandths of the canonical unit of their quantity —
mWh for active power, mvarh for reactive — so one stored value means one thing.
A unit is declared, never guessed: by ``--unit`` or in the value column's header
(``value_MWh``, ``value (MW)``, ``value[kvarh]``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Unit:
    """A file's unit: its quantity, whether it is energy over the interval (else the
    average demand over it), and how many canonical units one of it is."""

    name: str
    quantity: str
    energy: bool
    scale: int

    @property
    def canonical(self) -> str:
        """The unit it is stored in: kWh, kW, kvarh or kvar."""
        base = "kW" if self.quantity == "active" else "kvar"
        return base + ("h" if self.energy else "")

    def fast_terms(self, interval: int) -> tuple[int, int]:
        """``(factor, divisor)``: thousandths of canonical energy = value in millionths
        × multiplier in thousandths × factor / divisor."""
        if self.energy:
            return self.scale, 1000
        return interval * self.scale, 60_000

    def energy_of(self, value: Decimal, interval: int) -> Decimal:
        """``value`` in this unit as canonical energy over one interval (kWh, kvarh)."""
        value = value * self.scale
        return value if self.energy else value * interval / 60


UNITS: dict[str, Unit] = {
    unit.name: unit
    for unit in (
        Unit("kWh", "active", True, 1),
        Unit("kW", "active", False, 1),
        Unit("MWh", "active", True, 1000),
        Unit("MW", "active", False, 1000),
        Unit("kvarh", "reactive", True, 1),
        Unit("kvar", "reactive", False, 1),
        Unit("Mvarh", "reactive", True, 1000),
        Unit("Mvar", "reactive", False, 1000),
    )
}
#: How much of a display unit one kW is worth: the account's own unit of demand.
DISPLAY_SCALE = {"kW": 1, "MW": 1000}

_HEADER = re.compile(r"^value\s*(?:_|\(|\[)\s*([A-Za-z]+)\s*[)\]]?$")


def value_column(columns: Iterable[str]) -> tuple[str, str | None] | None:
    """The value column among ``columns`` and the unit its header declares (``None``:
    plain ``value``); ``None`` when there is no value column."""
    for column in columns:
        if column == "value":
            return column, None
        match = _HEADER.match(column)
        if match:
            return column, match.group(1)
    return None


def unit_named(name: str) -> Unit:
    """The unit called ``name`` (case as written: MW is not mW); ``KeyError`` if none."""
    return UNITS[name]


def in_display_unit(kw: float | None, display_unit: str) -> float | None:
    """A demand in kW as the account shows it (kW or MW)."""
    return None if kw is None else kw / DISPLAY_SCALE.get(display_unit, 1)
