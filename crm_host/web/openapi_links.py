"""OpenAPI links between the API's operations, derived from the routes' shapes.

A client (or a stateful fuzzer) follows them: a created object's ``id`` into its
item routes, an item's own id from its GET into its PATCH and DELETE, and a list's
``next_cursor`` into the same list's next page. They are derived, not written per
route, so every plugin's routes carry them too:

* ``POST /x`` answering an object with an ``id`` links to ``GET``/``PATCH``/``DELETE``
  ``/x/{param}`` (the item path with one more parameter);
* ``GET /x/{param}`` links to ``PATCH`` and ``DELETE`` of the same path, same parameter;
* a ``GET`` taking a ``cursor`` query parameter whose answer has ``next_cursor`` links
  to itself with that cursor.
"""

from __future__ import annotations

import re
from typing import Any

ITEM_METHODS = ("get", "patch", "delete")
_PARAMETER = re.compile(r"^\{([^{}/]+)\}$")


def _resolve(spec: dict[str, Any], schema: dict[str, Any] | None) -> dict[str, Any]:
    """``schema`` with a ``$ref`` to the document's components followed."""
    seen = 0
    while schema and "$ref" in schema and seen < 10:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = spec.get("components", {}).get("schemas", {}).get(name)
        seen += 1
    return schema or {}


def _answer_properties(spec: dict[str, Any], operation: dict[str, Any], status: str) -> set[str]:
    """The top-level property names of the JSON answer ``status`` of ``operation``."""
    response = operation.get("responses", {}).get(status, {})
    schema = response.get("content", {}).get("application/json", {}).get("schema")
    return set(_resolve(spec, schema).get("properties", {}))


def _ref(path: str, method: str) -> str:
    escaped = path.replace("~", "~0").replace("/", "~1")
    return f"#/paths/{escaped}/{method}"


def _link(path: str, method: str, parameters: dict[str, str]) -> dict[str, Any]:
    return {"operationRef": _ref(path, method), "parameters": parameters}


def _success(operation: dict[str, Any]) -> str | None:
    """The first 2xx status the operation documents."""
    return next((s for s in sorted(operation.get("responses", {})) if s.startswith("2")), None)


def add_links(spec: dict[str, Any]) -> dict[str, Any]:
    """Add the derived links to ``spec`` (an OpenAPI 3 document as a dict) and return it."""
    paths: dict[str, dict[str, Any]] = spec.get("paths", {})
    for path, item in paths.items():
        for method, operation in list(item.items()):
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            status = _success(operation)
            if status is None:
                continue
            links: dict[str, Any] = {}
            if method == "post":
                links.update(_created_links(spec, paths, path, operation, status))
            if method == "get":
                links.update(_item_links(paths, path))
                links.update(_next_page_link(spec, path, operation, status))
            if links:
                response = operation["responses"][status]
                response.setdefault("links", {}).update(links)
    return spec


def _children(paths: dict[str, Any], path: str) -> list[tuple[str, str]]:
    """``(item path, parameter name)`` for each path that is ``path`` plus one parameter."""
    found = []
    for other in paths:
        head, _, last = other.rpartition("/")
        match = _PARAMETER.match(last)
        if head == path and match:
            found.append((other, match.group(1)))
    return found


def _created_links(
    spec: dict[str, Any], paths: dict[str, Any], path: str, operation: dict[str, Any], status: str
) -> dict[str, Any]:
    if "id" not in _answer_properties(spec, operation, status):
        return {}
    links = {}
    for child, name in _children(paths, path):
        for method in ITEM_METHODS:
            if method in paths[child]:
                links[f"Created{method.title()}"] = _link(
                    child, method, {name: "$response.body#/id"}
                )
    return links


def _item_links(paths: dict[str, Any], path: str) -> dict[str, Any]:
    head, _, last = path.rpartition("/")
    match = _PARAMETER.match(last)
    if not head or not match:
        return {}
    name = match.group(1)
    return {
        f"Same{method.title()}": _link(path, method, {name: f"$request.path.{name}"})
        for method in ITEM_METHODS[1:]
        if method in paths[path]
    }


def _next_page_link(
    spec: dict[str, Any], path: str, operation: dict[str, Any], status: str
) -> dict[str, Any]:
    takes_cursor = any(
        p.get("in") == "query" and p.get("name") == "cursor"
        for p in operation.get("parameters", [])
    )
    if not takes_cursor or "next_cursor" not in _answer_properties(spec, operation, status):
        return {}
    return {"NextPage": _link(path, "get", {"cursor": "$response.body#/next_cursor"})}
