"""Rule trees: validated node by node, then compiled into one SQL condition.

A tree is JSON::

    {"all": [node, ...]}    every child holds
    {"any": [node, ...]}    at least one child holds
    {"not": node}           the child does not hold
    {"field": "city", "op": "eq", "value": "苏州"}

Validation collects every problem, keyed by the node's path
(``rules.all[1].any[0].value``), so the builder can point at the bad node.

Criteria on a grouped measure (total spend, number of purchases) that are children
of one ``all`` or ``any`` and read the same relation are tested in one
``GROUP BY customer_id`` with their tests joined in the ``HAVING``: grouping ten
million transactions once instead of once per criterion, for the same members.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.sdk import ValidationFailed
from crm_host.sdk.customers import NO_VALUE, Criterion, CriterionError, grouped_members
from crm_marketing.registry import criteria_of

MAX_DEPTH = 8
MAX_NODES = 200


def compile_rules(session: Session, tree: Any, *, path: str = "rules") -> sa.ColumnElement[bool]:
    """The condition on ``customers`` that ``tree`` describes.

    Raises :class:`ValidationFailed` listing every bad node by path.
    """
    errors: dict[str, list[str]] = {}
    compiler = _Compiler(session, criteria_of(session), errors)
    condition = compiler.node(tree, path, 0)
    if errors:
        raise ValidationFailed("the segment rules are not valid", details=errors)
    assert condition is not None
    return condition


def validate_rules(session: Session, tree: Any, *, path: str = "rules") -> None:
    """Raise :class:`ValidationFailed` naming each bad node of ``tree``; nothing otherwise."""
    compile_rules(session, tree, path=path)


@dataclass(frozen=True)
class _GroupTest:
    """A grouped criterion's ``HAVING`` test, held back until its parent group is
    joined so that siblings on the same relation share one grouping."""

    key: str
    relation: sa.FromClause
    test: sa.ColumnElement[bool]


_Part = sa.ColumnElement[bool] | _GroupTest


class _Compiler:
    def __init__(
        self, session: Session, criteria: dict[str, Criterion], errors: dict[str, list[str]]
    ) -> None:
        self.session = session
        self.criteria = criteria
        self.errors = errors
        self.count = 0
        # One relation per grouped source key, so tests on it can be put together.
        self.relations: dict[str, sa.FromClause] = {}

    def fail(self, path: str, message: str) -> None:
        self.errors.setdefault(path, []).append(message)

    def node(self, node: Any, path: str, depth: int) -> sa.ColumnElement[bool] | None:
        part = self.part(node, path, depth)
        if isinstance(part, _GroupTest):
            return grouped_members(part.relation, [part.test])
        return part

    def part(self, node: Any, path: str, depth: int) -> _Part | None:
        self.count += 1
        if self.count > MAX_NODES:
            if self.count == MAX_NODES + 1:
                self.fail(path, f"A segment has at most {MAX_NODES} nodes.")
            return None
        if depth > MAX_DEPTH:
            self.fail(path, f"Rules nest at most {MAX_DEPTH} levels deep.")
            return None
        if not isinstance(node, dict):
            self.fail(path, "Each node is an object: all, any, not, or a condition.")
            return None
        groups = [k for k in ("all", "any", "not") if k in node]
        if groups:
            if len(node) != 1:
                self.fail(path, "A group node has exactly one key: all, any or not.")
                return None
            key = groups[0]
            if key == "not":
                inner = self.node(node["not"], f"{path}.not", depth + 1)
                # SQL's NOT of an unknown (a NULL column) is unknown, which would drop
                # customers with no tier from "not tier = gold": count unknown as false.
                return None if inner is None else sa.not_(sa.func.coalesce(inner, sa.false()))
            children = node[key]
            if not isinstance(children, list) or not children:
                self.fail(f"{path}.{key}", "Needs a list of at least one node.")
                return None
            parts = [
                self.part(child, f"{path}.{key}[{i}]", depth + 1)
                for i, child in enumerate(children)
            ]
            if any(p is None for p in parts):
                return None
            return self.join([p for p in parts if p is not None], any_=key == "any")
        return self.condition(node, path)

    def join(self, parts: list[_Part], *, any_: bool) -> sa.ColumnElement[bool]:
        """The children of an ``all`` (``any``) joined by AND (OR), the grouped tests on
        one relation as a single grouped subquery where the first of them stood."""
        tests: dict[str, list[sa.ColumnElement[bool]]] = {}
        for part in parts:
            if isinstance(part, _GroupTest):
                tests.setdefault(part.key, []).append(part.test)
        conditions = []
        for part in parts:
            if not isinstance(part, _GroupTest):
                conditions.append(part)
            elif part.key in tests:
                conditions.append(grouped_members(part.relation, tests.pop(part.key), any_=any_))
        return sa.or_(*conditions) if any_ else sa.and_(*conditions)

    def condition(self, node: dict[str, Any], path: str) -> _Part | None:
        extra = set(node) - {"field", "op", "value"}
        if extra:
            self.fail(path, "Unknown keys: " + ", ".join(sorted(map(str, extra))) + ".")
            return None
        name = node.get("field")
        criterion = self.criteria.get(name) if isinstance(name, str) else None
        if criterion is None:
            self.fail(f"{path}.field", "Unknown field; see the segment criteria for the list.")
            return None
        op = node.get("op")
        if op not in criterion.operators:
            self.fail(
                f"{path}.op", f"{name}: Must be one of: " + ", ".join(criterion.operators) + "."
            )
            return None
        if op in NO_VALUE:
            if node.get("value") is not None:
                self.fail(f"{path}.value", f"{op} takes no value.")
                return None
        elif "value" not in node:
            self.fail(f"{path}.value", "Missing value.")
            return None
        try:
            grouped = criterion.grouped
            if grouped is None:
                return criterion.build(self.session, op, node.get("value"))
            if grouped.key not in self.relations:
                self.relations[grouped.key] = grouped.source(self.session)
            relation = self.relations[grouped.key]
            return _GroupTest(grouped.key, relation, grouped.test(relation, op, node.get("value")))
        except CriterionError as error:
            # Named, so a message read away from the builder still says which rule.
            self.fail(f"{path}.value", f"{name}: {error}")
            return None
