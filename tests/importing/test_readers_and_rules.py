"""Reading import files, and the one rule set agreeing between the API and the importer."""

from __future__ import annotations

import json

import pytest

from crm_host.core.errors import CrmError
from crm_host.domain.customers import service
from crm_host.domain.importing.customers import CustomerImporter
from crm_host.domain.importing.readers import ImportFileError, Record, detect_encoding, read_records

HEADER = "code,name,kind,email,phone,city\r\n"


def test_csv_bom_crlf_quoted_commas_and_newlines(tmp_path):
    path = tmp_path / "c.csv"
    body = (
        HEADER
        + 'C1,"王, 芳",person,a@example.cn,,苏州\r\nC2,"two\r\nlines",person,,,\r\nC3,x,person\r\n'
    )
    path.write_bytes(b"\xef\xbb\xbf" + body.encode())
    header, records = read_records(path)
    records = list(records)
    assert header == ["code", "name", "kind", "email", "phone", "city"]
    assert [(r.line, r.values.get("name"), r.error) for r in records] == [
        (2, "王, 芳", None),
        (3, "two\r\nlines", None),
        (5, None, "3 fields where the header has 6"),  # the record after a two-line one
    ]


def test_gb18030_is_detected_and_undecodable_files_refused(tmp_path):
    path = tmp_path / "gb.csv"
    path.write_bytes((HEADER + "C1,王芳,person,,,北京\r\n").encode("gb18030"))
    assert detect_encoding(path) == "gb18030"
    assert list(read_records(path)[1])[0].values["name"] == "王芳"
    broken = tmp_path / "broken.csv"
    broken.write_bytes(HEADER.encode() + b"C1,\x81\x30\xff,person,,,\r\n")
    with pytest.raises(ImportFileError, match="neither UTF-8 nor GB18030"):
        detect_encoding(broken)


def test_jsonl_and_bad_lines(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text(
        json.dumps({"code": "J1", "name": "王芳", "kind": "person"}, ensure_ascii=False)
        + "\n\n[1]\n{bad\n",
        encoding="utf-8",
    )
    records = list(read_records(path)[1])
    assert [(r.line, r.error) for r in records] == [
        (1, None),
        (3, "each line must be a JSON object"),
        (4, records[2].error),
    ]
    assert records[2].error.startswith("not JSON")


def test_header_problems_stop_the_file(tmp_path):
    duplicate = tmp_path / "d.csv"
    duplicate.write_text("code,name,code\n1,2,3\n")
    with pytest.raises(ImportFileError, match="column 'code' appears twice"):
        read_records(duplicate)
    empty = tmp_path / "e.csv"
    empty.write_text("")
    with pytest.raises(ImportFileError, match="empty"):
        read_records(empty)
    with pytest.raises(ImportFileError, match="cannot tell the format"):
        read_records(tmp_path / "x.pdf")


CORPUS = [
    {"code": "OK1", "name": "王芳", "kind": "person", "email": "a@example.cn"},
    {"code": "OK2", "name": " Zoë ", "kind": "organization", "phone": "+44 20 7946 0000"},
    {"code": "OK3", "name": "李", "kind": "person", "birth_date": "1990-01-31", "city": "杭州"},
    {"code": "BAD1", "name": "", "kind": "person"},
    {"code": "BAD2", "name": "x", "kind": "robot"},
    {"code": "BAD3", "name": "x", "kind": "person", "email": "not-an-email"},
    {"code": "BAD4", "name": "x", "kind": "person", "phone": "call me"},
    {"code": "BAD5", "name": "x", "kind": "person", "birth_date": "1990-02-30"},
    {"code": "bad code!", "name": "x", "kind": "person"},
    {"code": "BAD7", "name": "x" * 201, "kind": "person"},
    {"code": "BAD8", "name": "x", "kind": "person", "gender": "unknown"},
    {"code": "BAD9", "name": "x", "kind": "person", "preferred_language": "fr"},
    {"code": "BAD10", "name": "tab\x01bed", "kind": "person"},
    {"code": "BAD11", "name": "x", "kind": "person", "departments": "nowhere"},
]


def test_api_and_importer_accept_and_refuse_the_same_rows(app, db, make_user, client_for):
    """One rule set, two executors: the API (marshmallow + rules) and the bulk importer."""
    client = client_for(make_user("m", departments=["sales"], role="manager"))
    importer = CustomerImporter(db)
    api_verdicts, import_verdicts = {}, {}
    for number, row in enumerate(CORPUS):
        body = dict(row)
        if "departments" in body:
            body["departments"] = [body["departments"]]
        response = client.post("/api/v1/customers", json=body)
        assert response.status_code in (201, 422), response.json
        api_verdicts[row["code"]] = response.status_code == 201
        good, rejects = importer.validate(
            db, [Record(number + 2, {k: str(v) for k, v in row.items()})]
        )
        import_verdicts[row["code"]] = bool(good)
        if rejects:
            # The importer names the same fields the API does.
            api_fields = set((response.json.get("errors") or {}).keys())
            assert api_fields <= {f for f in RULE_FIELDS if f in rejects[0].reason} | {"json"}
    assert api_verdicts == import_verdicts
    assert [c for c, ok in api_verdicts.items() if ok] == ["OK1", "OK2", "OK3"]


RULE_FIELDS = (
    "code",
    "name",
    "kind",
    "email",
    "phone",
    "birth_date",
    "gender",
    "preferred_language",
    "departments",
)


def test_service_errors_are_crm_errors(db):
    with pytest.raises(CrmError):
        service.create_customer(db, {"code": "", "name": "", "kind": ""})


def test_xlsx_rows_keep_their_sheet_row_numbers(tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["code", "name", "kind"])
    sheet.append(["X1", "王芳", "person"])
    sheet.append([None, None, None])  # an empty row is not a record
    sheet.append(["X2", "=1+1", "person"])
    sheet.append(["X3", "李娜", "person", "extra"])
    path = tmp_path / "c.xlsx"
    workbook.save(path)
    header, records = read_records(path)
    records = list(records)
    assert header == ["code", "name", "kind"]
    assert [(r.line, r.values.get("code"), r.error) for r in records] == [
        (2, "X1", None),
        (4, None, "cell B4 holds a formula: import values only"),
        (5, None, "values beyond the 3 named columns"),
    ]
    (tmp_path / "junk.xlsx").write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(ImportFileError, match="not a readable XLSX file"):
        read_records(tmp_path / "junk.xlsx")
