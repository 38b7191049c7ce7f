"""A phone in an imported file is never left in clear: not in the refused rows kept in
the database, not in files left under the instance folder, not in a backup."""

from __future__ import annotations

import io
import os
import stat
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from crm_host.backup import backup
from crm_host.core import sensitive
from crm_host.core.models import Job
from crm_host.domain.directory import create_user
from crm_host.domain.importing import cleanup, protect
from crm_host.domain.importing import jobs as import_jobs
from crm_host.runtime.facade import enqueue
from crm_host.testing import login
from crm_host.testing.runtime import run_due_jobs

KEY = sensitive.generate_key("imp")
#: Refused rows: a bad kind, a missing name, and a row with one field too many.
CANARY = "13912348765"
CANARY_TYPED = "+86 139-1234-8765"
ID_CANARY = "11010519491231002X"
#: A customer that is imported: its phone is in the customers table (encrypted with keys).
KEPT = "13812340000"


def upload_file() -> bytes:
    return (
        "code,name,kind,phone,id_number\n"
        f"C1,王芳,person,{KEPT},\n"
        f"C2,李娜,robot,{CANARY},{ID_CANARY}\n"
        f'C3,,person,"{CANARY_TYPED}",\n'
        f"C4,赵六,person,{CANARY},,surplus\n"
    ).encode()


def forms(phone: str) -> list[bytes]:
    """How a phone could show in clear: as typed, in digits, JSON-escaped unchanged."""
    digits = "".join(c for c in phone if c.isdigit())
    return [phone.encode(), digits.encode(), digits[-8:].encode()]


def in_clear(data: bytes, *phones: str) -> list[str]:
    return [p for p in phones for form in forms(p) if form in data]


@pytest.fixture
def importer(committed_app, committed_db):
    with committed_db.session() as session:
        user = create_user(session, username="canary", password="password-123", is_admin=True)
    return login(committed_app.test_client(), user)


@pytest.mark.parametrize("keys", [KEY, None], ids=["encrypted", "masked"])
def test_no_phone_in_clear_in_rejects_uploads_or_backups(
    keys, committed_app, committed_db, importer, tmp_path
):
    instance = Path(committed_app.instance_path)
    with sensitive.using(keys):
        queued = importer.post(
            "/api/v1/imports",
            data={"file": (io.BytesIO(upload_file()), "客户.csv")},
            content_type="multipart/form-data",
        )
        assert queued.status_code == 202, queued.json
        job_id = queued.json["job_id"]
        # Waiting for the worker: the upload is readable by its owner only.
        [waiting] = (instance / "imports").iterdir()
        assert stat.S_IMODE(waiting.stat().st_mode) == 0o600
        assert stat.S_IMODE((instance / "imports").stat().st_mode) == 0o700
        run_due_jobs(committed_app, names=[import_jobs.JOB_NAME])
        status = importer.get(f"/api/v1/imports/{job_id}").json
        assert (status["status"], status["totals"]["created"], status["rejected"]) == ("done", 1, 3)

        with committed_db.engine.connect() as connection:
            raws = connection.scalars(sa.text("SELECT raw FROM import_rejects")).all()
        stored = "".join(str(r) for r in raws).encode()
        assert len(raws) == 3 and in_clear(stored, CANARY, CANARY_TYPED, ID_CANARY) == []
        assert (b"enc1:" in stored) == (keys is not None)
        # The upload went with its job; nothing under the instance folder holds the phones.
        assert list((instance / "imports").iterdir()) == []
        for file in instance.rglob("*"):
            if file.is_file():
                assert in_clear(file.read_bytes(), CANARY, CANARY_TYPED, ID_CANARY) == [], file

        archive = tmp_path / "backup.zip"
        backup(committed_db, archive)
        with zipfile.ZipFile(archive) as opened:
            for name in opened.namelist():
                data = opened.read(name)
                assert in_clear(data, CANARY, CANARY_TYPED, ID_CANARY) == [], name
                if keys:
                    assert in_clear(data, KEPT) == [], name
        assert in_clear(archive.read_bytes(), CANARY) == []

        # Whoever fixes the file and may reveal gets the refused rows as they were typed.
        rejects = importer.get(f"/api/v1/imports/{job_id}/rejects").data.decode("utf-8-sig")
        lines = rejects.splitlines()
        reason = '"kind: Must be one of: person, organization."'
        if keys:
            assert lines[1] == f"3,{reason},C2,李娜,robot,{CANARY},{ID_CANARY}"
            assert lines[2] == f"4,name: Required.,C3,,person,{CANARY_TYPED}," and lines[
                3
            ].endswith(f"{CANARY},,surplus")
        else:
            assert lines[1] == f"3,{reason},C2,李娜,robot,139****8765,110***********002X"
        # The same file again is the same import: its copy is not kept either.
        again = importer.post(
            "/api/v1/imports",
            data={"file": (io.BytesIO(upload_file()), "again.csv")},
            content_type="multipart/form-data",
        )
        assert again.json["job_id"] == job_id
        assert list((instance / "imports").iterdir()) == []


def test_rejects_are_masked_for_who_may_not_reveal():
    with sensitive.using(KEY):
        row = protect.protect(
            ["C9", "某", f"tel {CANARY_TYPED}", "note"], ["code", "name", "x", "y"]
        )
        assert row[0:2] == ["C9", "某"] and row[2].startswith("enc1:") and row[3] == "note"
        assert protect.reveal(row, allowed=True)[2] == f"tel {CANARY_TYPED}"
        assert protect.reveal(row, allowed=False)[2] == "tel +86**********8765"
    # A JSON Lines row is one cell: the numbers in it are masked, the rest kept.
    line = f'{{"code": "J1", "phone": "{CANARY}", "id_number": "A-12"}}'
    assert protect.protect([line]) == [
        '{"code": "J1", "phone": "139****8765", "id_number": "A-12"}'
    ]
    assert protect.protect(["A-12", "A-12"], ["id_number", "code"]) == ["****", "A-12"]
    with sensitive.using(None):
        assert protect.reveal([sensitive.parse_keys(KEY).encrypt(CANARY)], allowed=True) == [
            protect.UNREADABLE
        ]


def test_uploads_left_behind_are_removed_after_the_retention(committed_app, committed_db):
    folder = Path(committed_app.instance_path) / "imports"
    folder.mkdir(exist_ok=True)
    old, waiting, fresh = folder / "old.csv", folder / "waiting.csv", folder / "fresh.csv"
    for file in (old, waiting, fresh):
        file.write_text("code,name,kind\n")
    two_days_ago = (folder.stat().st_mtime) - 48 * 3600
    for file in (old, waiting):
        os.utime(file, (two_days_ago, two_days_ago))
    with committed_db.session() as session:
        enqueue(session, import_jobs.JOB_NAME, {"path": str(waiting)}, key="import:waiting")
        committed_app.config[cleanup.SETTING] = 36
        assert cleanup.retention(committed_app) == timedelta(hours=36)
        removed = cleanup.remove_stale_uploads(session, folder, cleanup.retention(committed_app))
        session.execute(sa.delete(Job))
    assert removed == [old]
    assert sorted(p.name for p in folder.iterdir()) == ["fresh.csv", "waiting.csv"]
    committed_app.config[cleanup.SETTING] = "soon"
    with pytest.raises(ValueError, match="CRM_IMPORT_UPLOAD_RETENTION_HOURS must be a number"):
        cleanup.retention(committed_app)
    committed_app.config.pop(cleanup.SETTING)
    for file in folder.iterdir():
        file.unlink()
