"""Configuration: defaults, an optional instance file, then ``CRM_*`` environment variables."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

INSTANCE_CONFIG_FILE = "crm.cfg"


def _secret_key(instance_path: Path) -> str:
    # A generated key kept in the instance folder, so sessions survive restarts of the
    # demo without anyone having to configure one; production sets CRM_SECRET_KEY.
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def load_config(app: Flask, overrides: Mapping[str, Any] | None = None) -> None:
    """Fill ``app.config``: defaults < ``instance/crm.cfg`` < ``CRM_*`` variables < ``overrides``."""
    instance = Path(app.instance_path)
    app.config.update(
        DATABASE_URL=f"sqlite:///{instance / 'crm.sqlite3'}",
        TIMEZONE="Asia/Shanghai",
        # Where a phone number typed without its country code is (crm_host.core.phones).
        PHONE_REGION="CN",
        ARCHIVE_DIR=str(instance / "archives"),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # Secure cookies need HTTPS; the embedded default serves plain HTTP on
        # localhost, so production turns this on (CRM_SESSION_COOKIE_SECURE=true).
        SESSION_COOKIE_SECURE=False,
        # A console session ends after two idle hours, and after twelve whatever happens.
        PERMANENT_SESSION_LIFETIME=2 * 3600,
        SESSION_MAX_AGE=12 * 3600,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        JSON_SORT_KEYS=False,
        # Request bodies by kind (see crm_host.web._limits): JSON and forms, import
        # files, attachments; each is a CRM_* setting.
        MAX_JSON_BYTES=1024 * 1024,
        MAX_IMPORT_BYTES=100 * 1024 * 1024,
        MAX_UPLOAD_BYTES=25 * 1024 * 1024,
    )
    app.config.from_pyfile(str(instance / INSTANCE_CONFIG_FILE), silent=True)
    app.config.from_prefixed_env("CRM")
    if overrides:
        app.config.update(overrides)
    # Files every process must see (attachments, uploaded imports): with several
    # machines, CRM_STORAGE_DIR names one shared folder for both.
    storage = app.config.get("STORAGE_DIR")
    if storage:
        app.config.setdefault("ATTACHMENTS_DIR", str(Path(storage) / "attachments"))
        app.config.setdefault("UPLOADS_DIR", str(Path(storage) / "imports"))
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(instance)
