"""Signed links: expiring, single-purpose, optionally single-use; each failure says why."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest

from crm_host.links.signing import LinkError, make_token, read_token

SECRET = "link-test-secret"


def test_a_link_carries_its_payload_for_its_purpose_only():
    token = make_token("survey", {"ticket": 42}, secret=SECRET)
    assert read_token("survey", token, secret=SECRET) == {"ticket": 42}
    with pytest.raises(LinkError) as wrong_purpose:
        read_token("portal", token, secret=SECRET)
    assert wrong_purpose.value.reason == "invalid"
    with pytest.raises(LinkError) as tampered:
        read_token(
            "survey", token[:-2] + ("AA" if not token.endswith("AA") else "BB"), secret=SECRET
        )
    assert tampered.value.reason == "invalid"
    with pytest.raises(LinkError) as other_key:
        read_token("survey", token, secret="another secret")
    assert other_key.value.reason == "invalid"


def test_a_link_expires():
    with mock.patch("itsdangerous.timed.time.time", return_value=1_700_000_000):
        token = make_token("track", {"send": 1}, expires_in=timedelta(hours=1), secret=SECRET)
    with pytest.raises(LinkError) as expired:
        read_token("track", token, secret=SECRET)
    assert expired.value.reason == "expired" and expired.value.status == 410


def test_a_single_use_link_works_once(app, db):
    token = make_token("survey", {"ticket": 7}, single_use=True, secret=SECRET)
    with pytest.raises(ValueError, match="pass session"):
        read_token("survey", token, secret=SECRET)
    assert read_token("survey", token, session=db, secret=SECRET) == {"ticket": 7}
    with pytest.raises(LinkError) as used:
        read_token("survey", token, session=db, secret=SECRET)
    assert used.value.reason == "used"


def test_bad_purposes_and_lifetimes_are_refused():
    with pytest.raises(ValueError, match="purpose"):
        make_token("Survey Links", {}, secret=SECRET)
    with pytest.raises(ValueError, match="366 days"):
        make_token("survey", {}, expires_in=timedelta(days=400), secret=SECRET)
