"""Schemathesis over the marketing operations: no input, however odd, gets a 5xx."""

from __future__ import annotations

from crm_host.security.tokens import create_token
from crm_host.testing.fuzz import fuzz_api, under


def test_no_server_errors_in_the_marketing_api(app, db, make_user, make_customer):
    user = make_user("fuzz-marketer", departments=["marketing"], admin=True)
    make_customer(city="苏州", email="f@example.com", consent=["email"])
    _, secret = create_token(db, user, name="fuzz")
    db.commit()
    ran, failures = fuzz_api(
        app,
        {"Authorization": f"Bearer {secret}"},
        include=under("/api/v1/marketing/"),
    )
    assert ran >= 20
    assert failures == {}
