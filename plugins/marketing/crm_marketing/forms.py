"""The segment builder's form, turned into a rule tree the compiler checks.

The builder shows flat rows (field, operator, value) joined by all/any; a JSON box
takes any nested tree instead. Values arrive as text and are typed by the
criterion's kind here, so the rules stored are the same JSON the API takes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from crm_host.sdk import ValidationFailed
from crm_host.sdk.customers import NO_VALUE, Criterion

ROWS = 6
LIST_OPERATORS = ("in", "not_in", "any", "all", "none")


def _typed(criterion: Criterion | None, op: str, text: str) -> Any:
    if op in NO_VALUE:
        return None
    if criterion is not None and criterion.kind == "window":
        # "30: 3" is 3 over the last 30 days; "30: 1, 5" between 1 and 5.
        days, _, rest = text.partition(":")
        days = days.strip()
        value = _typed(None, op, rest) if rest.strip() else ""
        return {"days": int(days) if days.isdigit() else days, "value": value}
    if op in LIST_OPERATORS:
        return [part.strip() for part in text.replace("，", ",").split(",") if part.strip()]
    if op == "between":
        return [part.strip() for part in text.split(",")]
    if criterion is not None and criterion.kind == "days":
        return int(text) if text.strip().isdigit() else text
    return text.strip()


def rules_from_form(form: Mapping[str, str], criteria: Mapping[str, Criterion]) -> Any:
    """The rule tree the builder's fields describe (unchecked: compile it to check)."""
    raw = (form.get("rules_json") or "").strip()
    if raw:
        try:
            return json.loads(raw)
        except ValueError as error:
            raise ValidationFailed(
                "the rules are not JSON", details={"rules_json": [str(error)]}
            ) from None
    match = "any" if form.get("match") == "any" else "all"
    conditions = []
    for n in range(ROWS):
        field = (form.get(f"field-{n}") or "").strip()
        if not field:
            continue
        op = (form.get(f"op-{n}") or "").strip()
        node: dict[str, Any] = {"field": field, "op": op}
        value = _typed(criteria.get(field), op, form.get(f"value-{n}") or "")
        if value is not None:
            node["value"] = value
        conditions.append(node)
    return {match: conditions}


def rows_of(tree: Any) -> tuple[str, list[dict[str, str]], str]:
    """The builder rows showing ``tree`` — or, when it nests, the JSON box's text."""
    if isinstance(tree, dict) and len(tree) == 1:
        match, children = next(iter(tree.items()))
        flat = (
            match in ("all", "any")
            and isinstance(children, list)
            and len(children) <= ROWS
            and all(isinstance(c, dict) and "field" in c for c in children)
        )
        if flat:
            rows = []
            for child in children:
                text = _text(child.get("value"))
                rows.append(
                    {"field": child["field"], "op": child.get("op", ""), "value": text or ""}
                )
            return match, rows, ""
    return "all", [], json.dumps(tree, ensure_ascii=False, indent=2) if tree else ""


def _text(value: Any) -> Any:
    """A stored value as the builder's text box shows it (the reverse of ``_typed``)."""
    if isinstance(value, dict) and set(value) == {"days", "value"}:
        return f"{value['days']}: {_text(value['value'])}"
    return ", ".join(map(str, value)) if isinstance(value, list) else value
