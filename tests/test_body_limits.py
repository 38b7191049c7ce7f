"""Request bodies are limited by kind (JSON, imports, attachments) and refused with a 413
naming the limit, without reading past it — chunked bodies included."""

from __future__ import annotations

import contextlib
import io
import json
import socket
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from werkzeug.test import EnvironBuilder

from crm_host.core.models import Customer, Job
from crm_host.core.models.attachments import Attachment

MIB = 1024 * 1024


class CountingStream:
    """An endless body of JSON-ish bytes that counts what the app reads of it."""

    def __init__(self) -> None:
        self.read_bytes = 0

    def read(self, size: int = -1) -> bytes:
        size = 64 * 1024 if size is None or size < 0 else min(size, 64 * 1024)
        self.read_bytes += size
        return b" " * size

    def readline(self, size: int = -1) -> bytes:
        return self.read(size)


def _call(app, environ) -> tuple[str, dict[str, str], bytes]:
    answer: dict[str, object] = {}

    def start_response(status, headers, exc_info=None):
        answer["status"], answer["headers"] = status, dict(headers)

    body = b"".join(app(environ, start_response))
    return answer["status"], answer["headers"], body  # type: ignore[return-value]


def _login_environ(stream: CountingStream, **extra) -> dict:
    environ = EnvironBuilder(
        path="/api/v1/auth/login", method="POST", content_type="application/json"
    ).get_environ()
    environ.pop("CONTENT_LENGTH", None)
    environ.update({"wsgi.input": stream, **extra})
    return environ


def test_a_declared_100_mb_json_body_is_refused_unread(app):
    stream = CountingStream()
    environ = _login_environ(stream, CONTENT_LENGTH=str(100 * MIB))
    status, headers, body = _call(app, environ)
    assert status.startswith("413")
    assert stream.read_bytes == 0
    answer = json.loads(body)
    assert answer["limit"] == MIB
    assert "1,048,576 bytes" in answer["message"] and "CRM_MAX_JSON_BYTES" in answer["message"]
    # Hop-by-hop headers are the server's (PEP 3333): waitress 500s on an app's.
    assert not {"connection", "keep-alive"} & {name.lower() for name in headers}


def test_a_chunked_json_body_is_cut_at_the_limit(app):
    # What gunicorn and Werkzeug's server hand over for a chunked body: no length, a
    # stream the server terminates. The app stops at the limit, not at the end.
    stream = CountingStream()
    environ = _login_environ(stream, HTTP_TRANSFER_ENCODING="chunked")
    environ["wsgi.input_terminated"] = True
    status, _headers, body = _call(app, environ)
    assert status.startswith("413") and json.loads(body)["limit"] == MIB
    # One byte past the limit proves the body too long; nothing further is read.
    assert stream.read_bytes == MIB + 1


def test_a_real_chunked_request_to_a_served_app_gets_413(live_server):
    # 3 MiB of JSON in 64 KiB chunks to the anonymous sign-in, over a socket.
    parts = urlsplit(live_server)
    chunk = b" " * (64 * 1024)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as conn:
        conn.sendall(
            b"POST /api/v1/auth/login HTTP/1.1\r\nHost: localhost\r\n"
            b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        try:
            for _ in range(48):
                conn.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            conn.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server stopped reading: what we want
        answer = b""
        while b"\r\n\r\n" not in answer:
            data = conn.recv(65536)
            if not data:
                break
            answer += data
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]


def _uploader(make_user, client_for):
    return client_for(make_user("limits", departments=["service"], admin=True))


def test_an_import_over_its_limit_writes_nothing(app, db, make_user, client_for, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_IMPORT_BYTES", 100 * 1024)
    client = _uploader(make_user, client_for)
    folder = Path(app.instance_path) / "imports"
    before = set(folder.iterdir()) if folder.exists() else set()
    rows = "".join(f"IMP{n:06d},客户{n},person\n" for n in range(20_000))  # ~400 KB
    csv = ("code,name,kind\n" + rows).encode()
    refused = client.post(
        "/api/v1/imports",
        data={"file": (io.BytesIO(csv), "customers.csv")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 413
    assert refused.json["limit"] == 100 * 1024 + 64 * 1024
    assert "CRM_MAX_IMPORT_BYTES" in refused.json["message"]
    assert db.scalar(sa.select(sa.func.count()).select_from(Job)) == 0
    assert db.scalar(sa.select(sa.func.count()).select_from(Customer)) == 0
    after = set(folder.iterdir()) if folder.exists() else set()
    assert after == before
    # The console's upload page has the same limit, answered with a page.
    page = client.post(
        "/customers/imports/new",
        data={"file": (io.BytesIO(csv), "customers.csv")},
        content_type="multipart/form-data",
    )
    assert page.status_code == 413 and "CRM_MAX_IMPORT_BYTES" in page.get_data(as_text=True)
    assert db.scalar(sa.select(sa.func.count()).select_from(Job)) == 0


def test_each_kind_has_its_own_limit(app, db, make_user, make_customer, client_for, monkeypatch):
    # JSON bodies limited to 1,000 bytes: a 5,000-byte import and attachment still pass.
    monkeypatch.setitem(app.config, "MAX_JSON_BYTES", 1000)
    client = _uploader(make_user, client_for)
    customer = make_customer(departments=["service"])
    name = "x" * 5000
    big_json = client.post("/api/v1/customers", json={"code": "BIG", "name": name})
    assert big_json.status_code == 413 and big_json.json["limit"] == 1000
    csv = ("code,name,kind\n" + "".join(f"K{n:05d},客户,person\n" for n in range(400))).encode()
    assert len(csv) > 5000
    imported = client.post(
        "/api/v1/imports",
        data={"file": (io.BytesIO(csv), "customers.csv")},
        content_type="multipart/form-data",
    )
    assert imported.status_code == 202, imported.json
    attached = client.post(
        "/api/v1/attachments",
        data={
            "object_type": "customer",
            "object_id": str(customer.id),
            "file": (io.BytesIO(b"a" * 5000), "a.txt"),
        },
        content_type="multipart/form-data",
    )
    assert attached.status_code == 201, attached.json


def test_an_attachment_body_over_its_limit_is_413(app, db, make_user, client_for, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_UPLOAD_BYTES", 1000)
    client = _uploader(make_user, client_for)
    refused = client.post(
        "/api/v1/attachments",
        data={
            "object_type": "customer",
            "object_id": "1",
            "file": (io.BytesIO(b"a" * (200 * 1024)), "a.bin"),
        },
        content_type="multipart/form-data",
    )
    assert refused.status_code == 413
    assert refused.json["limit"] == 1000 + 64 * 1024
    assert "CRM_MAX_UPLOAD_BYTES" in refused.json["message"]
    assert db.scalar(sa.select(sa.func.count()).select_from(Attachment)) == 0


@pytest.mark.parametrize("name", ["MAX_JSON_BYTES", "MAX_IMPORT_BYTES", "MAX_UPLOAD_BYTES"])
def test_the_limits_are_settings(name, tmp_path, monkeypatch):
    from flask import Flask

    from crm_host.config import load_config

    monkeypatch.setenv(f"CRM_{name}", "12345")
    app = Flask("limits", instance_path=str(tmp_path))
    load_config(app)
    assert app.config[name] == 12345


def test_the_embedded_server_answers_an_oversized_body_with_413(embedded_server):
    # `crm serve` runs waitress, which refuses WSGI answers carrying hop-by-hop headers;
    # a 3 MB sign-in body must still come back as the JSON 413, not as a 500.
    parts = urlsplit(embedded_server)
    body = json.dumps({"username": "a" * (3 * MIB), "password": "x"}).encode()
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as conn:
        conn.sendall(
            b"POST /api/v1/auth/login HTTP/1.1\r\nHost: localhost\r\n"
            b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body)
        )
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            conn.sendall(body)
        answer = b""
        while data := conn.recv(65536):
            answer += data
            if b"}" in answer.partition(b"\r\n\r\n")[2]:
                break
    head, _, payload = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413"), head
    assert json.loads(payload)["limit"] == MIB
