"""The permission-matrix harness: every API route × every demo user, answers checked.

For each route of the host and of every installed plugin, and for each user, the
harness creates the objects the URL needs, sends the request and compares the
answer with what the route promises (its ``require``/``signed_in``/``public`` mark):

* a plugin route, for a user none of whose departments has the plugin: 403;
* a permission the user does not hold (or a record the rule denies): 403;
* otherwise a 2xx — and every route needs at least one user getting a 2xx, the
  positive control showing the 403s are refusals and not a broken route.

A route with no mark is reported as unguarded.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, g
from sqlalchemy.orm import Session

from crm_host.core.host import get_host
from crm_host.core.models import Department, User
from crm_host.core.scopes import Scope, held_permissions
from crm_host.security.permissions import can

SKIPPED_METHODS = {"HEAD", "OPTIONS"}
#: URL arguments in the order they appear (``rule.arguments`` is an unordered set).
_ARGUMENT = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")
#: Routes outside the contract: the OpenAPI document.
SKIPPED_ENDPOINTS = {"api-docs.openapi_json"}


@dataclass(frozen=True)
class ObjectRef:
    """An object a factory made for a URL: its id, and what record rules look at."""

    id: int | str
    owner_id: int | None = None
    department_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class Route:
    """One method of one API route, with what it promises."""

    rule: str
    method: str
    endpoint: str
    arguments: tuple[str, ...]
    access: str | None
    record_rule: bool
    plugin: str | None

    def __str__(self) -> str:
        return f"{self.method} {self.rule}"


@dataclass
class Finding:
    """An unexpected answer (or a route the harness cannot check)."""

    route: Route
    user: str
    expected: str
    got: int | None = None
    detail: str = ""

    def __str__(self) -> str:
        got = f", got {self.got}" if self.got is not None else ""
        return f"{self.route} as {self.user}: expected {self.expected}{got} {self.detail}".strip()


def api_routes(app: Flask) -> list[Route]:
    """Every method of every ``/api/v1/`` route, with the access mark of its view."""
    owners = get_host(app).blueprint_owners
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint in SKIPPED_ENDPOINTS:
            continue
        view = app.view_functions[rule.endpoint]
        view_class = getattr(view, "view_class", None)
        blueprint = rule.endpoint.rsplit(".", 1)[0] if "." in rule.endpoint else ""
        for method in sorted((rule.methods or set()) - SKIPPED_METHODS):
            function = getattr(view_class, method.lower(), None) if view_class else view
            routes.append(
                Route(
                    rule=rule.rule,
                    method=method,
                    endpoint=rule.endpoint,
                    arguments=tuple(_ARGUMENT.findall(rule.rule)),
                    access=getattr(function, "crm_access", None),
                    record_rule=getattr(function, "crm_record_rule", False),
                    plugin=owners.get(blueprint),
                )
            )
    return sorted(routes, key=lambda r: (r.rule, r.method))


#: Makes the object a URL argument names: (session, objects made so far, the user
#: about to call) → its reference.
Factory = Callable[[Session, dict[str, ObjectRef], User], ObjectRef]
Payload = Callable[[Session, dict[str, ObjectRef], int], dict[str, Any] | None]


@dataclass
class PermissionMatrix:
    """The harness. ``factories`` make the objects URL arguments name (``customer_id``),
    in the order they appear in the URL; ``payloads`` give what each (endpoint,
    method) needs — a JSON body, a GET's query arguments, or ``{"__multipart__":
    {...}}`` for an upload — a fresh one per call (``n`` numbers them)."""

    app: Flask
    session: Session
    users: dict[str, User]
    factories: dict[str, Factory]
    payloads: dict[tuple[str, str], Payload] = field(default_factory=dict)
    routes: list[Route] | None = None
    _calls: int = 0

    def run(self) -> list[Finding]:
        """Check every route for every user; returns what did not answer as promised."""
        from crm_host.testing import login

        findings: list[Finding] = []
        for route in self.routes if self.routes is not None else api_routes(self.app):
            if route.access is None:
                findings.append(Finding(route, "-", "a permission check", detail="(unguarded)"))
                continue
            missing = [a for a in route.arguments if a not in self.factories]
            if missing:
                findings.append(
                    Finding(route, "-", "a factory", detail=f"(none for {', '.join(missing)})")
                )
                continue
            positive = False
            for label, user in self.users.items():
                objects = self._objects(route, user)
                expected = self._expected(route, user, objects)
                client = login(self.app.test_client(), user)
                response = client.open(
                    self._url(route, objects),
                    method=route.method,
                    **self._request_body(route, self._payload(route, objects)),
                )
                ok = 200 <= response.status_code < 300
                positive = positive or ok
                if (expected == "2xx") != ok or (expected != "2xx" and response.status_code != 403):
                    detail = ""
                    if response.is_json and response.json:
                        body = response.json
                        detail = str(body.get("message") or body)[:200]
                        if body.get("errors"):
                            detail += f" {body['errors']}"[:300]
                    findings.append(Finding(route, label, expected, response.status_code, detail))
            if not positive:
                findings.append(
                    Finding(route, "everyone", "a 2xx for someone", detail="(no positive control)")
                )
        return findings

    def _objects(self, route: Route, user: User) -> dict[str, ObjectRef]:
        objects: dict[str, ObjectRef] = {}
        # A context of its own: one left pushed would be reused by the test client's
        # requests, which would then share g (and Flask-Login's cached user).
        with self.app.app_context(), self._shared_session():
            for argument in route.arguments:
                objects[argument] = self.factories[argument](self.session, objects, user)
            self.session.commit()
        return objects

    @staticmethod
    def _request_body(route: Route, payload: dict[str, Any] | None) -> dict[str, Any]:
        """How a payload travels: the query string of a GET, a multipart form when it
        holds files (``{"__multipart__": {...}}``), JSON otherwise."""
        if payload is None:
            return {}
        if route.method == "GET":
            return {"query_string": payload}
        if "__multipart__" in payload:
            return {"data": payload["__multipart__"], "content_type": "multipart/form-data"}
        return {"json": payload}

    @contextlib.contextmanager
    def _shared_session(self) -> Iterator[None]:
        # The app's code uses the context's session; make it the harness's own, so no
        # second session nests a savepoint under ours and rolls it away on close.
        g.crm_session = self.session
        try:
            yield
        finally:
            g.pop("crm_session", None)

    def _url(self, route: Route, objects: dict[str, ObjectRef]) -> str:
        url = route.rule
        for argument, ref in objects.items():
            start = url.index("<")
            end = url.index(">", start)
            assert url[start:end].endswith(":" + argument) or url[start + 1 : end] == argument
            url = url[:start] + str(ref.id) + url[end + 1 :]
        return url

    def _payload(self, route: Route, objects: dict[str, ObjectRef]) -> dict[str, Any] | None:
        maker = self.payloads.get((route.endpoint, route.method))
        if maker is None:
            return None
        self._calls += 1
        with self.app.app_context(), self._shared_session():
            return maker(self.session, objects, self._calls)

    def _expected(self, route: Route, user: User, objects: dict[str, ObjectRef]) -> str:
        from crm_host.web.gate import enabled_plugins

        with self.app.test_request_context(), self._shared_session():
            if route.plugin is not None and route.plugin not in enabled_plugins(user):
                return "403 (department gate)"
            if route.access in ("public", "signed-in"):
                return "2xx"
            session = self.session
            if route.record_rule and objects:
                target = list(objects.values())[0]
                allowed = can(
                    session,
                    user,
                    route.access,
                    owner_id=target.owner_id,
                    department_ids=target.department_ids,
                )
            else:
                allowed = user.is_admin or held_permissions(session, user).get(route.access) in set(
                    Scope
                )
            return "2xx" if allowed else f"403 ({route.access})"


def matrix_users(
    session: Session, roles: Iterable[str] = ("manager", "agent", "viewer")
) -> dict[str, User]:
    """A user for every department × role, an administrator, and a user in no department."""
    from crm_host.domain.directory import create_user

    users: dict[str, User] = {}
    departments = list(session.query(Department).order_by(Department.code))
    for department in departments:
        for role in roles:
            label = f"{department.code}-{role}"
            users[label] = create_user(
                session,
                username=f"matrix-{label}",
                password="matrix-password",
                departments=[department.code],
                role=role,
            )
    users["admin"] = create_user(
        session,
        username="matrix-admin",
        password="matrix-password",
        departments=[d.code for d in departments],
        is_admin=True,
    )
    users["nobody"] = create_user(session, username="matrix-nobody", password="matrix-password")
    session.commit()
    return users
