"""Request bodies past the upload limit are refused before they are read or stored."""

from __future__ import annotations

import io
from pathlib import Path

from flask import Flask

from crm_host.config import load_config

MIB = 1024 * 1024


def test_the_body_limit_is_the_upload_limit_plus_a_mebibyte(tmp_path, monkeypatch):
    app = Flask("t", instance_path=str(tmp_path))
    load_config(app)
    assert (app.config["MAX_UPLOAD_BYTES"], app.config["MAX_CONTENT_LENGTH"]) == (
        25 * MIB,
        26 * MIB,
    )
    monkeypatch.setenv("CRM_MAX_UPLOAD_BYTES", str(4 * MIB))
    smaller = Flask("t", instance_path=str(tmp_path))
    load_config(smaller)
    assert smaller.config["MAX_CONTENT_LENGTH"] == 5 * MIB
    monkeypatch.setenv("CRM_MAX_CONTENT_LENGTH", str(100 * MIB))
    explicit = Flask("t", instance_path=str(tmp_path))
    load_config(explicit)
    assert explicit.config["MAX_CONTENT_LENGTH"] == 100 * MIB


def test_an_import_upload_past_the_limit_is_refused_and_not_kept(app, client_for, make_user):
    client = client_for(make_user("importer", departments=["sales"], role="manager"))
    body = b"code,name\n" + b"C1,x\n" * (27 * MIB // 5)
    response = client.post(
        "/api/v1/imports",
        data={"file": (io.BytesIO(body), "big.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert response.json["code"] == 413
    assert not list((Path(app.instance_path) / "imports").glob("*.csv"))
