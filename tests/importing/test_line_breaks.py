"""Line breaks typed inside a spreadsheet cell: folded in names and codes, kept in addresses."""

from __future__ import annotations

import sqlalchemy as sa
from openpyxl import Workbook

from crm_host.cli.main import cli as crm
from crm_host.core.models import Customer
from crm_host.domain.customers.custom_fields import create_field
from crm_host.domain.customers.rules import clean_customer, clean_customers


def customers(database):
    with database.session() as session:
        rows = session.scalars(sa.select(Customer).order_by(Customer.code))
        return {c.code: (c.name, c.city, c.custom.get("address")) for c in rows}


def with_address_field(database):
    with database.session() as session:
        create_field(session, name="address", type="text", label="Address")
        session.commit()


def test_a_quoted_field_over_lines_is_imported(committed_app, committed_db, tmp_path):
    with_address_field(committed_db)
    source = tmp_path / "customers.csv"
    source.write_bytes(
        b"code,name,kind,city,custom.address\r\n"
        b'C1,"Alice\r\nSmith",person,"Su\nzhou","1 Main St\r\nApt 2\rSuzhou"\r\n'
        + 'C2,"王\r\n\r\n芳",person,,"一号\n二楼"\r\n'.encode()
        + b"C3,Bob,person,,\r\n"
    )
    result = committed_app.test_cli_runner().invoke(crm, ["customers", "import", str(source)])
    assert result.exit_code == 0, result.output
    assert "3 created, 0 updated, 0 unchanged, 0 rejected" in result.output
    assert customers(committed_db) == {
        # A run of breaks (CRLF, blank lines) is one space in a single-line field.
        "C1": ("Alice Smith", "Su zhou", "1 Main St\nApt 2\nSuzhou"),
        "C2": ("王 芳", None, "一号\n二楼"),
        "C3": ("Bob", None, None),
    }


def test_an_xlsx_cell_with_line_breaks_is_imported(committed_app, committed_db, tmp_path):
    with_address_field(committed_db)
    book = Workbook()
    sheet = book.active
    sheet.append(["code", "name", "kind", "custom.address"])
    sheet.append(["X1", "李\n四", "person", "路一号\n三楼"])
    source = tmp_path / "customers.xlsx"
    book.save(source)
    result = committed_app.test_cli_runner().invoke(crm, ["customers", "import", str(source)])
    assert result.exit_code == 0, result.output
    assert customers(committed_db) == {"X1": ("李 四", None, "路一号\n三楼")}


def test_the_row_and_column_rules_agree_on_line_breaks():
    rows = [
        {"code": "A1", "name": "a\r\nb", "kind": "person"},
        {"code": "A2", "name": "\nc\rd\n", "kind": "person"},
    ]
    assert [clean for clean, _ in clean_customers(rows)] == [clean_customer(row)[0] for row in rows]
    assert clean_customer(rows[1])[0]["name"] == "c d"
    # Other control characters are still refused.
    assert clean_customer({"code": "A3", "name": "a\x01b", "kind": "person"})[1] == {
        "name": ["Control characters are not allowed."]
    }
