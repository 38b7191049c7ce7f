"""Hostile import files are refused with a clear reason, and nothing good is lost:
oversized fields and lines, wrong encodings, formula cells, zip bombs, a full disk."""

from __future__ import annotations

import zipfile

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from crm_host.cli.main import cli as crm
from crm_host.core.models import Customer, Job
from crm_host.domain.importing.readers import ImportFileError, read_records


def _records(path, fmt=None):
    header, records = read_records(path, fmt)
    return header, list(records)


def test_an_oversized_field_and_a_ten_megabyte_line_are_refused_rows(tmp_path):
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8") as out:
        out.write("code,name,kind\n")
        out.write("A1,甲,person\n")
        out.write(f'A2,"{"x" * (2 << 20)}",person\n')  # one 2 MB field
        out.write("A3," + ",".join(["y" * 1000] * 10_000) + "\n")  # one 10 MB line
        out.write("A4,丁,person\n")
    _header, records = _records(path)
    good = [r.values["code"] for r in records if r.error is None]
    refused = {r.line: r.error for r in records if r.error}
    assert good == ["A1", "A4"]
    assert "field larger than field limit" in refused[3]
    assert refused[4] == "10001 fields where the header has 3"


def test_a_file_in_neither_utf8_nor_gb18030_names_the_byte(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("code,name,kind\nA1,Jos\u00e9,person\n".encode("utf-16"))
    with pytest.raises(
        ImportFileError, match=r"neither UTF-8 nor GB18030 \(utf-8-sig fails at byte \d+"
    ):
        _records(path)


def test_formula_cells_are_refused_with_their_address(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["code", "name", "kind"])
    sheet.append(["F1", "正常", "person"])
    sheet.append(["F2", '=HYPERLINK("http://evil.example","click")', "person"])
    path = tmp_path / "formulas.xlsx"
    book.save(path)
    _header, records = _records(path)
    assert [r.values.get("code") for r in records if r.error is None] == ["F1"]
    [refused] = [r for r in records if r.error]
    assert (refused.line, refused.error) == (3, "cell B3 holds a formula: import values only")


def test_a_zip_bomb_is_refused_before_it_is_unpacked(tmp_path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (200 << 20))  # 200 MB of zeros
    assert path.stat().st_size < 1 << 20
    with pytest.raises(ImportFileError, match="refused as a possible zip bomb"):
        _records(path)


def test_a_file_that_is_not_a_zip_is_not_an_xlsx(tmp_path):
    path = tmp_path / "fake.xlsx"
    path.write_text("code,name\n")
    with pytest.raises(ImportFileError, match="not a readable XLSX file"):
        _records(path)


def test_a_full_disk_keeps_whole_batches_and_says_so(committed_db, committed_app, tmp_path):
    if committed_db.dialect != "sqlite":
        pytest.skip("the database's size limit is set with SQLite's max_page_count")
    path = tmp_path / "many.csv"
    rows = [f"D{n:05d},{'名' * 60}{n},person,d{n}@example.cn" for n in range(3000)]
    path.write_text("code,name,kind,email\n" + "\n".join(rows) + "\n", encoding="utf-8")
    engine = committed_db.engine
    with engine.connect() as connection:
        pages = connection.exec_driver_sql("PRAGMA page_count").scalar_one()

    def limit_size(dbapi_connection, _record):
        # Room for a few batches, not for the file: the disk "fills up" part-way.
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages + 120}")

    def count(query):
        with engine.connect() as connection:
            return connection.execute(query).scalar_one()

    runner = committed_app.test_cli_runner()
    engine.dispose()
    sa.event.listen(engine, "connect", limit_size)
    try:
        result = runner.invoke(crm, ["customers", "import", str(path), "--batch-size", "250"])
    finally:
        sa.event.remove(engine, "connect", limit_size)
        engine.dispose()
    assert result.exit_code != 0
    assert "the database ran out of disk space" in result.output
    assert "Traceback" not in result.output
    imported = count(sa.select(sa.func.count()).select_from(Customer))
    assert 0 < imported < 3000 and imported % 250 == 0  # whole batches only
    assert count(sa.select(Job.progress_done).where(Job.name == "host.import")) == imported

    # With room again, running the import goes on where it stopped.
    result = runner.invoke(crm, ["customers", "import", str(path), "--batch-size", "250"])
    assert result.exit_code == 0, result.output
    assert count(sa.select(sa.func.count()).select_from(Customer)) == 3000
