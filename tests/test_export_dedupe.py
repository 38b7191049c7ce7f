"""Exports open safely in spreadsheets and round-trip the API's field names; dedupe finds
customers who are the same under normalisation."""

from __future__ import annotations

import csv
import io
import json

from openpyxl import load_workbook

from crm_host.domain.customers import dedupe, export, service
from crm_host.domain.customers.custom_fields import create_field


def seed(db):
    create_field(db, name="industry", type="text", label="Industry")
    service.create_customer(
        db,
        {
            "code": "E1",
            "name": '=HYPERLINK("http://x")',
            "kind": "person",
            "phone": "+8613812345678",
            "tags": ["vip", "new"],
            "departments": ["sales"],
            "custom": {"industry": "@SUM(1)"},
        },
    )
    service.create_customer(
        db,
        {
            "code": "E2",
            "name": "王芳",
            "kind": "person",
            "email": "wang@example.cn",
            "birth_date": "1990-02-03",
        },
    )
    db.commit()


def test_formula_cells_are_neutralised_but_numbers_kept():
    assert export.neutralise("=1+1") == "'=1+1"
    assert export.neutralise("@SUM(A1)") == "'@SUM(A1)"
    assert export.neutralise("-2+3") == "'-2+3"
    assert export.neutralise("\t=x") == "'\t=x"
    assert export.neutralise("+8613812345678") == "+8613812345678"
    assert export.neutralise("-5") == "-5"
    assert export.neutralise("王芳") == "王芳"


def test_control_characters_a_worksheet_cannot_hold_are_marked_not_fatal():
    assert export.printable_in_xlsx("ab\x0cc\x00d") == "ab\ufffdc\ufffdd"
    assert export.printable_in_xlsx("王芳\t\n") == "王芳\t\n"  # tab and newline are fine
    assert export.printable_in_xlsx(3) == 3
    out = io.BytesIO()
    workbook_rows = [["\x9a\x87E;\xdfp\x0c\xe3\xaf\xb3:pm"]]
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("x")
    for row in workbook_rows:
        sheet.append([export.printable_in_xlsx(v) for v in row])
    book.save(out)
    [(value,)] = list(load_workbook(io.BytesIO(out.getvalue())).active.values)
    assert value == "\x9a\x87E;\xdfp\ufffd\xe3\xaf\xb3:pm"


def test_csv_jsonl_and_xlsx(app, db):
    seed(db)
    out = io.BytesIO()
    assert export.write(db, out, "csv", reveal=True) == 2
    raw = out.getvalue()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens UTF-8 Chinese correctly
    records = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert records[0]["name"] == '\'=HYPERLINK("http://x")'
    assert records[0]["phone"] == "+8613812345678"
    assert records[0]["tags"] == "new;vip" and records[0]["departments"] == "sales"
    assert records[0]["custom.industry"] == "'@SUM(1)"
    assert records[1]["birth_date"] == "1990-02-03"

    out = io.BytesIO()
    export.write(db, out, "jsonl")
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert lines[1]["name"] == "王芳" and lines[0]["name"].startswith(
        "="
    )  # JSON is data, not a sheet

    out = io.BytesIO()
    export.write(db, out, "xlsx")
    sheet = load_workbook(io.BytesIO(out.getvalue())).active
    values = list(sheet.values)
    assert values[0][:3] == ("code", "name", "kind")
    assert values[1][1] == '\'=HYPERLINK("http://x")'
    assert sheet.cell(row=2, column=2).data_type == "s"  # a string, never a formula


def test_export_over_cli_and_api(app, db, cli, make_user, client_for, tmp_path):
    seed(db)
    target = tmp_path / "c.jsonl"
    result = cli("customers", "export", "--format", "jsonl", "--output", str(target))
    assert result.exit_code == 0 and len(target.read_text().splitlines()) == 2
    stdout = cli("customers", "export")
    assert (
        stdout.output.splitlines()[1].startswith("\ufeffcode,") or "code,name,kind" in stdout.output
    )
    manager = client_for(make_user("m", departments=["sales"], role="manager"))
    agent = client_for(make_user("a", departments=["sales"], role="agent"))
    assert agent.get("/api/v1/customers/export").status_code == 403
    download = manager.get("/api/v1/customers/export?format=xlsx")
    assert download.status_code == 200
    assert "customers.xlsx" in download.headers["Content-Disposition"]


def test_dedupe_finds_normalised_duplicates(app, db, cli, make_user, client_for):
    rows = [
        ("D1", "王芳", "Wang.Fang@Example.cn", "+86 138 1234 5678"),
        ("D2", "王 芳", "wang.fang@example.cn", None),
        ("D3", "Li Na", None, "13812345678"),
        ("d-4", "ＬＩ ＮＡ", None, None),
        ("D4", "Zhao", None, None),
    ]
    for code, name, email, phone in rows:
        service.create_customer(
            db, {"code": code, "name": name, "kind": "person", "email": email, "phone": phone}
        )
    db.commit()
    groups = {(g.key, g.value): len(g.customer_ids) for g in dedupe.find_duplicates(db)}
    assert groups == {
        ("email", "wang.fang@example.cn"): 2,
        ("phone", "+8613812345678"): 2,
        ("name", "王芳"): 2,
        ("name", "lina"): 2,
        ("code", "d4"): 2,
    }
    printed = cli("customers", "dedupe", "--by", "email").output
    assert "wang.fang@example.cn" in printed and "D1, D2" in printed
    manager = client_for(make_user("m", departments=["sales"], role="manager"))
    api = manager.get("/api/v1/customers/duplicates?by=phone").json
    assert [g["value"] for g in api] == ["+8613812345678"]
    assert manager.get("/api/v1/customers/duplicates?by=shoe").status_code == 422


def test_an_export_with_a_stray_control_character_still_downloads(app, db, make_user, client_for):
    from crm_host.domain.customers import service

    customer = service.create_customer(
        db, {"code": "CC1", "name": "苏州电子", "kind": "organization"}
    )
    # As a custom text field or a row older than today's rules may hold it.
    customer.name = "苏州\x0c电子"
    db.commit()
    manager = client_for(make_user("m2", departments=["sales"], role="manager", admin=True))
    download = manager.get("/api/v1/customers/export?format=xlsx")
    assert download.status_code == 200
    values = list(load_workbook(io.BytesIO(download.data)).active.values)
    assert ("CC1", "苏州\ufffd电子") in [row[:2] for row in values]
