"""Schemathesis over the power operations: no input, however odd, gets a 5xx."""

from __future__ import annotations

from crm_host.security.tokens import create_token
from crm_host.testing.fuzz import fuzz_api, under


def test_no_server_errors_in_the_power_api(app, db, make_user, account):
    user = make_user("fuzz-power", departments=["power"], admin=True)
    _, secret = create_token(db, user, name="fuzz")
    db.commit()
    ran, failures = fuzz_api(
        app, {"Authorization": f"Bearer {secret}"}, include=under("/api/v1/power/")
    )
    assert ran >= 20
    assert failures == {}
