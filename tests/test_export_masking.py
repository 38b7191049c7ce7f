"""Exports mask phone and ID numbers exactly as the API does; revealing them needs the
reveal permission and is audited as a revealed export (API, console and CLI)."""

from __future__ import annotations

import csv
import io
import json

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from crm_host.core.models import AuditLog
from crm_host.domain.customers import service
from crm_host.domain.directory import create_role

PHONE, MASKED_PHONE = "+8613812345678", "+86*******5678"
ID_NUMBER, MASKED_ID = "11010519491231002X", "110***********002X"


@pytest.fixture
def people(db, make_user, client_for):
    """Two customers; a clerk who may export but not reveal, and a manager who may."""
    first = service.create_customer(
        db,
        {"code": "X1", "name": "王芳", "kind": "person", "phone": PHONE, "id_number": ID_NUMBER},
    )
    service.create_customer(db, {"code": "X2", "name": "李娜", "kind": "person"})
    create_role(
        db,
        name="exporter",
        permissions=[{"permission": "host.customers.read"}, {"permission": "*.import"}],
    )
    db.commit()
    clerk = client_for(make_user("clerk", departments=["sales"], role="exporter"))
    manager = client_for(make_user("boss", departments=["sales"], role="manager"))
    return first, clerk, manager


def _entries(db, action):
    return list(db.scalars(sa.select(AuditLog).where(AuditLog.action == action)))


def test_every_format_masks_as_the_api_does(db, people):
    first, clerk, manager = people
    shown = clerk.get(f"/api/v1/customers/{first.id}").json
    assert (shown["phone"], shown["id_number"]) == (MASKED_PHONE, MASKED_ID)
    jsonl = clerk.get("/api/v1/customers/export", query_string={"format": "jsonl"})
    rows = [json.loads(line) for line in jsonl.data.splitlines()]
    assert (rows[0]["phone"], rows[0]["id_number"]) == (shown["phone"], shown["id_number"])
    text = clerk.get("/api/v1/customers/export?format=csv").data.decode("utf-8-sig")
    row = next(csv.DictReader(io.StringIO(text)))
    # A masked number starting with + is text to a spreadsheet: neutralised like any.
    assert (row["phone"], row["id_number"]) == ("'" + MASKED_PHONE, MASKED_ID)
    sheet = load_workbook(io.BytesIO(clerk.get("/api/v1/customers/export?format=xlsx").data))
    values = list(sheet.active.values)
    header = values[0]
    cells = dict(zip(header, values[1], strict=True))
    assert (cells["phone"], cells["id_number"]) == ("'" + MASKED_PHONE, MASKED_ID)
    # Without reveal asked for, the manager's export is masked too.
    rows = [
        json.loads(x)
        for x in manager.get("/api/v1/customers/export?format=jsonl").data.splitlines()
    ]
    assert rows[0]["phone"] == MASKED_PHONE
    entries = _entries(db, "export")
    assert [(e.row_count, e.after["revealed"]) for e in entries] == [(2, False)] * 4


def test_a_revealed_export_needs_the_permission_and_is_audited(db, people):
    _first, clerk, manager = people
    refused = clerk.get("/api/v1/customers/export?format=csv&reveal=true")
    assert refused.status_code == 403
    assert "host.customers.reveal" in refused.json["message"]
    assert refused.json["errors"]["reveal"] == ["You need the permission host.customers.reveal."]
    assert clerk.get("/customers/export?format=xlsx&reveal=1").status_code == 403
    assert _entries(db, "export-revealed") == [] and _entries(db, "export") == []
    assert len(_entries(db, "access_denied")) == 2
    full = manager.get("/api/v1/customers/export?format=jsonl&reveal=true")
    row = json.loads(full.data.splitlines()[0])
    assert (row["phone"], row["id_number"]) == (PHONE, ID_NUMBER)
    sheet = manager.get("/customers/export?format=xlsx&reveal=1")
    values = list(load_workbook(io.BytesIO(sheet.data)).active.values)
    assert PHONE in values[1] and ID_NUMBER in values[1]
    entries = _entries(db, "export-revealed")
    assert [(e.actor, e.row_count, e.after["format"]) for e in entries] == [
        ("boss", 2, "jsonl"),
        ("boss", 2, "xlsx"),
    ]


def test_the_cli_masks_unless_told_to_reveal(db, people, cli, tmp_path):
    masked, full = tmp_path / "masked.jsonl", tmp_path / "full.jsonl"
    done = cli("customers", "export", "--format", "jsonl", "-o", str(masked))
    assert done.exit_code == 0 and "phone and ID numbers masked" in done.output
    revealed = cli("customers", "export", "--format", "jsonl", "--reveal", "-o", str(full))
    assert revealed.exit_code == 0 and "in full" in revealed.output
    first = json.loads(masked.read_text().splitlines()[0])
    assert (first["phone"], first["id_number"]) == (MASKED_PHONE, MASKED_ID)
    first = json.loads(full.read_text().splitlines()[0])
    assert (first["phone"], first["id_number"]) == (PHONE, ID_NUMBER)
    entries = _entries(db, "export") + _entries(db, "export-revealed")
    assert [(e.action, e.actor, e.row_count) for e in entries] == [
        ("export", "system", 2),
        ("export-revealed", "system", 2),
    ]


def test_a_masked_value_coming_back_is_refused_not_stored(db):
    # A masked export imported again must not overwrite numbers with stars.
    from crm_host.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as refused:
        service.create_customer(
            db,
            {"code": "X9", "name": "回流", "kind": "person", "phone": MASKED_PHONE},
        )
    assert "phone" in refused.value.details
    with pytest.raises(ValidationFailed) as refused:
        service.create_customer(
            db, {"code": "X9", "name": "回流", "kind": "person", "id_number": MASKED_ID}
        )
    assert "id_number" in refused.value.details
