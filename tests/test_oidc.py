"""Single sign-on against an OpenID Connect provider running on loopback.

The provider here is small but real in what matters: discovery, an authorization
endpoint that hands back a code bound to the state and nonce it was given, a token
endpoint issuing an RS256-signed ID token, and its JWKS. The application talks to
it over HTTP exactly as it would to a company's identity server.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterator
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
import sqlalchemy as sa
from flask import Flask, jsonify, redirect, request
from joserfc import jwt
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server

from crm_host.core.models import AuditLog, User
from crm_host.testing import build_app

CLIENT_ID, CLIENT_SECRET = "crm-host", "s3cret"


class FakeProvider:
    """An OpenID provider for one test: who signs in next is set by the test."""

    def __init__(self) -> None:
        self.key = RSAKey.generate_key(2048, parameters={"kid": "k1"})
        self.codes: dict[str, dict] = {}
        self.next_claims: dict = {}
        self.forged = False
        self.app = Flask("fake-oidc")
        self.app.add_url_rule("/.well-known/openid-configuration", view_func=self.discovery)
        self.app.add_url_rule("/authorize", view_func=self.authorize)
        self.app.add_url_rule("/token", view_func=self.token, methods=["POST"])
        self.app.add_url_rule("/jwks", view_func=self.jwks)
        self.issuer = ""

    def discovery(self):
        return jsonify(
            issuer=self.issuer,
            authorization_endpoint=f"{self.issuer}/authorize",
            token_endpoint=f"{self.issuer}/token",
            jwks_uri=f"{self.issuer}/jwks",
            response_types_supported=["code"],
            subject_types_supported=["public"],
            id_token_signing_alg_values_supported=["RS256"],
        )

    def authorize(self):
        args = request.args
        assert args["client_id"] == CLIENT_ID and args["response_type"] == "code"
        code = secrets.token_urlsafe(16)
        self.codes[code] = {"nonce": args.get("nonce"), "claims": dict(self.next_claims)}
        query = urlencode({"code": code, "state": args["state"]})
        return redirect(f"{args['redirect_uri']}?{query}")

    def token(self):
        assert request.form["grant_type"] == "authorization_code"
        grant = self.codes.pop(request.form["code"])
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": grant["nonce"],
            **grant["claims"],
        }
        key = RSAKey.generate_key(2048) if self.forged else self.key
        id_token = jwt.encode({"alg": "RS256", "kid": "k1"}, claims, key)
        return jsonify(access_token="at", token_type="Bearer", expires_in=300, id_token=id_token)

    def jwks(self):
        return jsonify(keys=[self.key.as_dict(private=False)])


@pytest.fixture
def provider() -> Iterator[FakeProvider]:
    fake = FakeProvider()
    server = make_server("127.0.0.1", 0, fake.app, threaded=True)
    fake.issuer = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield fake
    server.shutdown()


@pytest.fixture
def sso_app(provider, crm_installation, tmp_path, db):
    app = build_app(
        crm_installation.url,
        tmp_path,
        OIDC_ISSUER=provider.issuer,
        OIDC_CLIENT_ID=CLIENT_ID,
        OIDC_CLIENT_SECRET=CLIENT_SECRET,
        OIDC_LABEL="Grid SSO",
    )
    # The new app's sessions join the test's transaction, like the shared app's do.
    from crm_host.core.host import get_host

    get_host(app).db.bind_to(db.get_bind())
    yield app
    get_host(app).db.dispose()


def sign_in_through(client, provider, next_path="/customers"):
    """Follow the redirects a browser would: app → provider → app."""
    to_provider = client.get(f"/login/sso?next={next_path}")
    assert to_provider.status_code == 302
    location = to_provider.location
    assert location.startswith(provider.issuer + "/authorize")
    back = requests.get(location, allow_redirects=False, timeout=10)
    assert back.status_code == 302
    parts = urlsplit(back.headers["Location"])
    assert parts.path == "/login/sso/callback" and "code" in parse_qs(parts.query)
    return client.get(f"{parts.path}?{parts.query}")


def test_a_known_user_signs_in_through_the_provider(sso_app, provider, make_user, db):
    make_user("wang.fang", departments=["sales"])
    provider.next_claims = {"sub": "u-1", "preferred_username": "wang.fang"}
    client = sso_app.test_client()
    assert "Sign in with Grid SSO" in client.get("/login").get_data(as_text=True)
    done = sign_in_through(client, provider)
    assert done.status_code == 302 and done.location == "/customers"
    me = client.get("/api/v1/auth/me")
    assert me.status_code == 200 and me.json["username"] == "wang.fang"
    entry = db.scalar(sa.select(AuditLog).where(AuditLog.action == "login"))
    assert entry.after == {"method": "oidc", "subject": "u-1"}


def test_an_unknown_user_is_refused_and_none_is_created(sso_app, provider, db):
    provider.next_claims = {"sub": "u-2", "preferred_username": "stranger"}
    client = sso_app.test_client()
    refused = sign_in_through(client, provider)
    assert refused.location.endswith("/login")
    assert "has no user here" in client.get("/login").get_data(as_text=True)
    assert client.get("/api/v1/auth/me").status_code == 401
    assert db.scalar(sa.select(User).where(User.username == "stranger")) is None


def test_an_id_token_signed_by_another_key_is_refused(sso_app, provider, make_user):
    make_user("li.na", departments=["sales"])
    provider.next_claims = {"sub": "u-3", "preferred_username": "li.na"}
    provider.forged = True
    client = sso_app.test_client()
    refused = sign_in_through(client, provider)
    assert refused.location.endswith("/login")
    assert client.get("/api/v1/auth/me").status_code == 401


def test_a_half_configured_provider_is_named(crm_installation, tmp_path):
    with pytest.raises(ValueError, match="CRM_OIDC_CLIENT_ID is not"):
        build_app(crm_installation.url, tmp_path, OIDC_ISSUER="http://127.0.0.1:1")
