"""New passwords: long enough, not among the most common, not breached, not the user name."""

from __future__ import annotations

import hashlib
import random

import pytest

from crm_host.core.errors import ValidationFailed
from crm_host.domain.directory import create_user, set_password
from crm_host.security import passwords


def _sha1(text: str) -> str:
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest().upper()


@pytest.fixture
def breach_list(tmp_path):
    """A hash-ordered list as the Pwned Passwords downloader writes it: 2,000 random
    digests around the three known passwords, with counts of varying width."""
    rng = random.Random(7)
    digests = {f"{rng.getrandbits(160):040X}" for _ in range(2000)}
    known = {"Tr0ub4dor&3-leaked", "zz-last-one", "!first"}
    digests |= {_sha1(word) for word in known}
    path = tmp_path / "pwned-passwords-sha1-ordered-by-hash.txt"
    path.write_text(
        "".join(f"{d}:{rng.randint(1, 10 ** rng.randint(1, 7))}\r\n" for d in sorted(digests))
    )
    return path, sorted(digests), known


def test_short_common_and_own_name_passwords_are_refused():
    assert passwords.problems("short") == ["At least 8 characters."]
    assert passwords.problems("Password1") == [
        "This is one of the most common passwords: choose another."
    ]
    assert passwords.problems("qwertyuiop") != []
    assert passwords.problems("zhangwei-2026", username="zhangwei") == [
        "The password may not contain the user name."
    ]
    # No composition rules: a long phrase of lower-case words is fine.
    assert passwords.problems("correct horse battery staple") == []


def test_the_breach_list_is_searched_at_every_position(breach_list):
    path, digests, known = breach_list
    for word in known:
        assert passwords.in_breach_list(word, path), word
    # Every line is found, the first and the last included.
    for text in ("not-in-it", "another-one", ""):
        assert not passwords.in_breach_list(text, path)
    for digest in (digests[0], digests[1], digests[len(digests) // 2], digests[-1]):
        assert _probe(path, digest)


def _probe(path, digest):
    # in_breach_list hashes its argument: search for a digest through the same code.
    original = hashlib.sha1

    class Fixed:
        def __init__(self, *args, **kwargs):
            pass

        def hexdigest(self):
            return digest.lower()

    hashlib.sha1 = Fixed
    try:
        return passwords.in_breach_list("ignored", path)
    finally:
        hashlib.sha1 = original


def test_the_configured_breach_list_refuses_a_new_password(app, db, breach_list, monkeypatch):
    path, _, _ = breach_list
    monkeypatch.setitem(app.config, "BREACHED_PASSWORDS_FILE", str(path))
    with app.app_context():
        with pytest.raises(ValidationFailed) as refused:
            create_user(db, username="li-na", password="Tr0ub4dor&3-leaked")
        assert refused.value.details["password"] == [
            "This password is known from data breaches: choose another."
        ]
        user = create_user(db, username="li-na", password="a-fresh-long-phrase")
        with pytest.raises(ValidationFailed):
            set_password(user, "zz-last-one")


def test_the_api_names_the_password_field(client_for, make_user):
    admin = client_for(make_user("root", admin=True))
    refused = admin.post("/api/v1/users", json={"username": "wang-qiang", "password": "iloveyou"})
    assert refused.status_code == 422
    assert "most common" in str(refused.json["errors"]["password"])
