"""Display names of the host's fields and choice values, translated, for every page."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext as _l

FIELD_LABELS = {
    "code": _l("Code"),
    "name": _l("Name"),
    "kind": _l("Kind"),
    "email": _l("Email"),
    "phone": _l("Phone"),
    "lifecycle_stage": _l("Lifecycle stage"),
    "tier": _l("Tier"),
    "gender": _l("Gender"),
    "birth_date": _l("Birth date"),
    "occupation": _l("Occupation"),
    "education": _l("Education"),
    "region": _l("Region"),
    "city": _l("City"),
    "preferred_language": _l("Preferred language"),
    "id_number": _l("ID number"),
    "parent_code": _l("Parent organisation (code)"),
    "departments": _l("Departments"),
    "tags": _l("Tags"),
    "title": _l("Title"),
    "is_primary": _l("Primary contact"),
    "line1": _l("Address line 1"),
    "line2": _l("Address line 2"),
    "postal_code": _l("Postal code"),
    "country": _l("Country"),
    "channel": _l("Channel"),
    "subject": _l("Subject"),
    "body": _l("Details"),
}
CHOICE_LABELS = {
    "person": _l("Person"),
    "organization": _l("Organization"),
    "lead": _l("Lead"),
    "prospect": _l("Prospect"),
    "customer": _l("Customer"),
    "inactive": _l("Inactive"),
    "female": _l("Female"),
    "male": _l("Male"),
    "other": _l("Other"),
    "zh_Hans": "简体中文",
    "en": "English",
    "billing": _l("Billing"),
    "service": _l("Service"),
    "mailing": _l("Mailing"),
    "name": _l("Name"),
    "-name": _l("Name, descending"),
    "code": _l("Code"),
    "-code": _l("Code, descending"),
    "created_at": _l("Oldest first"),
    "-created_at": _l("Newest first"),
    "updated_at": _l("Least recently changed"),
    "-updated_at": _l("Recently changed"),
    "note": _l("Note"),
    "phone": _l("Phone"),
    "email": _l("Email"),
    "visit": _l("Visit"),
    "meeting": _l("Meeting"),
    "sms": _l("SMS"),
    "web": _l("Web"),
    "letter": _l("Letter"),
    "system": _l("System"),
    "portal": _l("Portal"),
    "chat": _l("Chat"),
    "order": _l("Order"),
    "ticket": _l("Ticket"),
    "campaign": _l("Campaign"),
    "meter": _l("Meter"),
    "inbound": _l("Inbound"),
    "outbound": _l("Outbound"),
    "internal": _l("Internal"),
    "queued": _l("Queued"),
    "running": _l("Running"),
    "done": _l("Done"),
    "failed": _l("Failed"),
    "csv": "CSV",
    "jsonl": "JSON Lines",
    "xlsx": "XLSX",
}


def field_label(name: str) -> Any:
    """The display name of a field (its own name when none is known)."""
    return FIELD_LABELS.get(name, name)


def choice_label(value: Any) -> Any:
    """The display name of a choice value (enum members by their value)."""
    value = getattr(value, "value", value)
    return CHOICE_LABELS.get(value, value)


def choices(values: Iterable[Any]) -> list[tuple[str, Any]]:
    """``(value, label)`` pairs for a select."""
    return [(str(getattr(v, "value", v)), choice_label(v)) for v in values]
