"""Every host API route answers every demo user as its permission promises."""

from __future__ import annotations

from crm_host.testing.host_objects import HOST_FACTORIES, HOST_PAYLOADS
from crm_host.testing.matrix import PermissionMatrix, Route, api_routes, matrix_users


def test_host_routes_answer_every_role_as_promised(app, db):
    # Each plugin runs the same matrix over its own routes with its own factories.
    routes = [r for r in api_routes(app) if r.plugin is None]
    users = matrix_users(db)
    matrix = PermissionMatrix(app, db, users, HOST_FACTORIES, HOST_PAYLOADS, routes=routes)
    findings = matrix.run()
    assert "\n".join(map(str, findings)) == ""
    assert len(routes) >= 25
    assert all(r.access for r in api_routes(app))  # every route, plugins' too, is marked


def test_the_harness_reports_a_route_that_forgets_its_check(app, db):
    unguarded = Route(
        rule="/api/v1/customers",
        method="GET",
        endpoint="customers.Customers",
        arguments=(),
        access=None,
        record_rule=False,
        plugin=None,
    )
    matrix = PermissionMatrix(app, db, matrix_users(db), HOST_FACTORIES, routes=[unguarded])
    assert [str(f) for f in matrix.run()] == [
        "GET /api/v1/customers as -: expected a permission check (unguarded)"
    ]


def test_the_harness_reports_a_check_that_lets_everyone_through(app, db):
    # The route claims host.users.manage but does not enforce it: viewers get 200.
    lying = Route(
        rule="/api/v1/customers",
        method="GET",
        endpoint="customers.Customers",
        arguments=(),
        access="host.users.manage",
        record_rule=False,
        plugin=None,
    )
    users = matrix_users(db)
    findings = PermissionMatrix(app, db, users, HOST_FACTORIES, routes=[lying]).run()
    assert findings
    assert all(f.expected == "403 (host.users.manage)" and f.got == 200 for f in findings)
