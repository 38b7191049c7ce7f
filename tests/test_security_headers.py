"""Security headers on every response, a CSP the console's own pages keep to, and
attachments served by the type their bytes show."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from crm_host.sniffing import sniff

ROOT = Path(__file__).parents[1]
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def _assert_secured(response) -> str:
    for name, value in HEADERS.items():
        assert response.headers.get(name) == value, (response.request.path, name)
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    return policy


@pytest.fixture
def sales(make_user, client_for):
    return client_for(make_user("headers-sales", departments=["sales"]))


def test_every_kind_of_response_carries_the_headers(app, sales, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_JSON_BYTES", 10)
    client = app.test_client()
    answers = {
        "console page": client.get("/login"),
        "API JSON": sales.get("/api/v1/auth/me"),
        "API 401": client.get("/api/v1/customers"),
        "API 404": sales.get("/api/v1/customers/999999"),
        "API 405": sales.put("/api/v1/customers"),
        "API 413": client.post("/api/v1/auth/login", json={"username": "x" * 20}),
        "console 404": sales.get("/no-such-page"),
        "static file": client.get("/static/crm/console.css"),
        "vendored script": client.get("/static/crm/vendor/htmx.min.js"),
        "health": client.get("/healthz"),
    }
    expected = {"console page": 200, "API JSON": 200, "API 401": 401, "API 404": 404}
    expected |= {"API 405": 405, "API 413": 413, "console 404": 404, "static file": 200}
    expected |= {"vendored script": 200, "health": 200}
    for label, response in answers.items():
        assert response.status_code == expected[label], label
        policy = _assert_secured(response)
        assert re.search(r"script-src 'self' 'nonce-[\w-]{20,}'(;|$)", policy), label


def test_inline_scripts_carry_this_requests_nonce(sales):
    first, second = sales.get("/sales/"), sales.get("/sales/")
    assert first.status_code == 200
    nonces = []
    for response in (first, second):
        html = response.get_data(as_text=True)
        [nonce] = re.findall(r'<script nonce="([^"]+)">', html)
        assert f"'nonce-{nonce}'" in response.headers["Content-Security-Policy"]
        nonces.append(nonce)
    assert nonces[0] != nonces[1]


def _templates() -> list[Path]:
    found = list((ROOT / "crm_host" / "templates").rglob("*.html"))
    found += list((ROOT / "plugins").glob("*/crm_*/templates/**/*.html"))
    return found


def test_no_template_needs_what_the_policy_forbids():
    templates = _templates()
    assert len(templates) > 50
    forbidden = {
        "an inline event handler": re.compile(r"\son[a-z]+\s*=", re.I),
        "a style attribute": re.compile(r"\sstyle\s*=", re.I),
        "a javascript: address": re.compile(r"javascript:", re.I),
        "an inline script without the nonce": re.compile(r"<script(?![^>]*\b(src|nonce)=)", re.I),
        "a style block without the nonce": re.compile(r"<style(?![^>]*\bnonce=)", re.I),
    }
    offenders = [
        f"{path.relative_to(ROOT)}: {what}"
        for path in templates
        for what, pattern in forbidden.items()
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


# --- attachments --------------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF"


@pytest.mark.parametrize(
    "head, kind",
    [
        (PNG, "image/png"),
        (JPEG, "image/jpeg"),
        (b"GIF89a\x01\x00", "image/gif"),
        (b"%PDF-1.7\n", "application/pdf"),
        ("报价 2026\n第二行\tOK".encode(), "text/plain"),
        (b"<html><script>alert(1)</script>", "application/octet-stream"),
        (b"  \n<svg xmlns='http://www.w3.org/2000/svg'>", "application/octet-stream"),
        (b"\xef\xbb\xbf<html>", "application/octet-stream"),
        (b"MZ\x90\x00\x03", "application/octet-stream"),
        (b"\xff\xfe\x00a", "application/octet-stream"),
        (b"", "application/octet-stream"),
    ],
)
def test_the_served_type_comes_from_the_bytes(head, kind):
    assert sniff(head) == kind


@pytest.mark.parametrize(
    "data, declared, served",
    [
        (b"<html><script>alert(document.cookie)</script>", "text/html", "application/octet-stream"),
        (b"<svg onload=alert(1)>", "image/svg+xml", "application/octet-stream"),
        (PNG + b"rest", "text/html", "image/png"),
        (b"%PDF-1.4 body", "application/octet-stream", "application/pdf"),
        ("纯文本".encode(), "text/html", "text/plain; charset=utf-8"),
    ],
)
def test_attachments_are_served_by_their_sniffed_type(
    make_user, make_customer, client_for, data, declared, served
):
    agent = client_for(make_user("headers-agent", departments=["service"], role="agent"))
    customer = make_customer(departments=["service"])
    made = agent.post(
        "/api/v1/attachments",
        data={
            "object_type": "customer",
            "object_id": str(customer.id),
            "file": (io.BytesIO(data), "page.html", declared),
        },
        content_type="multipart/form-data",
    )
    assert made.status_code == 201, made.json
    download = agent.get(f"/api/v1/attachments/{made.json['id']}")
    assert download.status_code == 200 and download.data == data
    assert download.headers["Content-Type"] == served
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in download.headers["Content-Security-Policy"]
    assert "default-src 'none'" in download.headers["Content-Security-Policy"]
