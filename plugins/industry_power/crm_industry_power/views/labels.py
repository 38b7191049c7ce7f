"""Words the power pages show for the codes they store, and how many rows a list shows."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

#: Rows on the list pages.
LIMIT = 200
CATEGORY_LABELS = {
    "large_industry": _l("Large industry"),
    "commercial": _l("Commercial and general industry"),
    "residential": _l("Residential"),
    "agricultural": _l("Agricultural"),
}
RULE_LABELS = {
    "capacity_reduction": _l("Reduce the contracted capacity"),
    "grid_upgrade": _l("Upgrade the line or transformer"),
    "shift_to_valley": _l("Shift load from peak to valley hours"),
    "low_load_factor": _l("Level a peaky load"),
}
PERIOD_LABELS = {"peak": _l("Peak"), "flat": _l("Flat"), "valley": _l("Valley")}
EQUIPMENT_LABELS = {
    "transformer": _l("Transformer"),
    "motor": _l("Motor"),
    "capacitor": _l("Capacitor bank"),
    "switchgear": _l("Switchgear"),
    "generator": _l("Generator"),
    "other": _l("Other equipment"),
}
AREA_LABELS = {"urban": _l("Urban"), "rural": _l("Rural"), "remote": _l("Remote")}
LEVEL_LABELS = {"key": _l("Key"), "important": _l("Important"), "ordinary": _l("Ordinary")}
FAULT_LABELS = {
    "recorded": _l("Recorded"),
    "ticketed": _l("Ticket opened"),
    "resolved": _l("Resolved"),
}


def labels() -> dict[str, Any]:
    """Every label table, as the templates name them."""
    return {
        "categories": CATEGORY_LABELS,
        "rules": RULE_LABELS,
        "periods": PERIOD_LABELS,
        "equipment_kinds": EQUIPMENT_LABELS,
        "fault_statuses": FAULT_LABELS,
        "levels": LEVEL_LABELS,
        "areas": AREA_LABELS,
    }
