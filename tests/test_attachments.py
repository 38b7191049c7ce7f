"""Attachments: stored under keys of the host's making, hostile names harmless, limits kept."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from crm_host.records.attachments import LocalStorage, TooLarge, clean_filename


@pytest.fixture
def customer(make_customer):
    """A customer of the service department, whose agents may change it."""
    return make_customer(departments=["service"])


@pytest.fixture
def uploader(make_user, client_for, customer):
    client = client_for(make_user("up", departments=["service"], role="agent"))
    client.customer_id = str(customer.id)
    return client


def upload(client, name, data, **fields):
    form = {
        "object_type": "customer",
        "object_id": getattr(client, "customer_id", "1"),
        **fields,
        "file": (io.BytesIO(data), name),
    }
    return client.post("/api/v1/attachments", data=form, content_type="multipart/form-data")


def test_upload_list_download_delete(app, uploader, tmp_path):
    made = upload(uploader, "报价单 2026.pdf", b"%PDF-1.7 hello")
    assert made.status_code == 201, made.json
    assert made.json["filename"] == "报价单 2026.pdf" and made.json["size"] == 14
    listed = uploader.get(
        f"/api/v1/attachments?object_type=customer&object_id={uploader.customer_id}"
    ).json
    assert [a["filename"] for a in listed] == ["报价单 2026.pdf"]
    download = uploader.get(f"/api/v1/attachments/{made.json['id']}")
    assert download.data == b"%PDF-1.7 hello"
    assert "filename*=UTF-8''" in download.headers["Content-Disposition"]
    assert uploader.delete(f"/api/v1/attachments/{made.json['id']}").status_code == 204
    assert uploader.get(f"/api/v1/attachments/{made.json['id']}").status_code == 404


@pytest.mark.parametrize(
    "hostile", ["../../etc/passwd", "a\x00b.txt", "line\nbreak.txt", "..\\..\\boot.ini", "", "...."]
)
def test_hostile_names_cannot_choose_where_bytes_land(app, uploader, hostile):
    made = upload(uploader, hostile, b"data")
    if made.status_code == 422:  # a name the form parser itself refuses: a clear 4xx
        return
    assert made.status_code == 201
    name = made.json["filename"]
    assert "/" not in name and "\\" not in name and "\x00" not in name and "\n" not in name
    root = Path(app.config.get("ATTACHMENTS_DIR") or Path(app.instance_path) / "attachments")
    stored = [p for p in root.rglob("*") if p.is_file()]
    assert stored and all(root in p.parents for p in stored)
    assert not Path("/etc/passwd.crm").exists()


def test_oversized_and_empty_uploads_are_refused(app, uploader, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_UPLOAD_BYTES", 10)
    too_big = upload(uploader, "big.bin", b"x" * 11)
    assert too_big.status_code == 413 and "limit of 10 bytes" in too_big.json["message"]
    assert upload(uploader, "empty.txt", b"").status_code == 422
    assert upload(uploader, "x.txt", b"ok", object_type="").status_code == 422


def test_viewers_read_but_cannot_attach(make_user, client_for, customer):
    viewer = client_for(make_user("v", departments=["service"], role="viewer"))
    viewer.customer_id = str(customer.id)
    assert upload(viewer, "a.txt", b"x").status_code == 403
    listed = viewer.get(f"/api/v1/attachments?object_type=customer&object_id={customer.id}")
    assert listed.status_code == 200 and listed.json == []


def test_storage_and_names_directly(tmp_path):
    storage = LocalStorage(tmp_path)
    with pytest.raises(ValueError):
        storage.save("../x", io.BytesIO(b"x"), 10)
    with pytest.raises(TooLarge):
        storage.save("abcd1234", io.BytesIO(b"x" * 20), 10)
    assert not any(tmp_path.rglob("*.partial"))
    assert clean_filename("C:\\Users\\王芳\\合同.pdf") == "合同.pdf"
