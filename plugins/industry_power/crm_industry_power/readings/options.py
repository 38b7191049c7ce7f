"""What an import of readings must be told, and the columns a file must have."""

from __future__ import annotations

from collections.abc import Iterable

from crm_host.sdk import ValidationFailed
from crm_host.sdk.customers import ImportFileError
from crm_industry_power import storage
from crm_industry_power.readings.units import UNITS as UNIT_TABLE
from crm_industry_power.readings.units import Unit, value_column

COLUMNS = ("meter", "timestamp", "value")
UNITS = tuple(UNIT_TABLE)
_UNIT_HELP = f"One of {', '.join(UNITS)} (energy over the interval, or average demand over it)."


def check_options(interval: int, unit: str | None) -> None:
    """Refuse an interval or unit the importer does not know (nothing is guessed); no
    unit is fine here when the file's header declares it."""
    errors = {}
    if interval not in storage.INTERVALS:
        errors["interval"] = [f"One of {', '.join(map(str, storage.INTERVALS))} minutes."]
    if unit and unit not in UNITS:
        errors["unit"] = [_UNIT_HELP]
    if errors:
        raise ValidationFailed("say how the readings are measured", details=errors)


def check_header(columns: Iterable[str]) -> None:
    """Refuse a file without exactly the columns meter, timestamp and value (the value's
    header may declare its unit: ``value_MWh``, ``value (MW)``)."""
    columns = list(columns)
    found = value_column(columns)
    named = ("meter", "timestamp", found[0] if found else "value")
    missing = [c for c in named if c not in columns]
    unknown = [c for c in columns if c not in named]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(f"lacks {', '.join(missing)}")
        if unknown:
            parts.append(f"has unknown {', '.join(unknown)}")
        raise ImportFileError(
            f"the header {' and '.join(parts)}; the columns are meter,timestamp,value"
        )
    if found and found[1] is not None and found[1] not in UNITS:
        raise ImportFileError(f"the header's unit {found[1]} is not one of {', '.join(UNITS)}")


def resolve_unit(option: str | None, columns: Iterable[str]) -> Unit:
    """The unit of the readings: the one the option says or the value column's header
    declares; both may say it if they agree. ``ValidationFailed`` naming ``unit``."""
    found = value_column(list(columns))
    declared = found[1] if found else None
    if option and declared and option != declared:
        raise ValidationFailed(
            "say the unit once",
            details={"unit": [f"The option says {option}, the header {declared}."]},
        )
    name = option or declared
    if not name or name not in UNIT_TABLE:
        raise ValidationFailed(
            "say how the readings are measured",
            details={"unit": [_UNIT_HELP + " Give it as an option or in the value header."]},
        )
    return UNIT_TABLE[name]
