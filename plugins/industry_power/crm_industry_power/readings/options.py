"""What an import of readings must be told, and the columns a file must have."""

from __future__ import annotations

from collections.abc import Iterable

from crm_host.sdk import ValidationFailed
from crm_host.sdk.customers import ImportFileError
from crm_industry_power import storage

COLUMNS = ("meter", "timestamp", "value")
UNITS = ("kWh", "kW")


def check_options(interval: int, unit: str) -> None:
    """Refuse an interval or unit the importer does not know (nothing is guessed)."""
    errors = {}
    if interval not in storage.INTERVALS:
        errors["interval"] = [f"One of {', '.join(map(str, storage.INTERVALS))} minutes."]
    if unit not in UNITS:
        errors["unit"] = ["kWh (interval energy) or kW (demand)."]
    if errors:
        raise ValidationFailed("say how the readings are measured", details=errors)


def check_header(columns: Iterable[str]) -> None:
    """Refuse a file without exactly the columns meter, timestamp and value."""
    columns = list(columns)
    missing = [c for c in COLUMNS if c not in columns]
    unknown = [c for c in columns if c not in COLUMNS]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(f"lacks {', '.join(missing)}")
        if unknown:
            parts.append(f"has unknown {', '.join(unknown)}")
        raise ImportFileError(
            f"the header {' and '.join(parts)}; the columns are meter,timestamp,value"
        )
