"""The printable monthly report: HTML with the hand-computed metrics, and a real PDF."""

from __future__ import annotations

import io
from datetime import date

import pytest
from crm_industry_power import report

from crm_host.sdk import Customer

DAY = date(2026, 11, 2)


@pytest.fixture
def loaded(db, account, import_text, day_csv, hand_made_day):
    import_text(day_csv("M1", DAY, hand_made_day))
    return db.get(Customer, account.customer_id)


# The hand-made day (see test_loadcurve.py): max 600, min 100, avg 6225 / 24 = 259.375 kW;
# load factor 259.375 / 600 = 43.23 %, minimum-load ratio 100 / 600 = 16.67 %,
# peak–valley rate 500 / 600 = 83.33 %, utilisation 600 / 1000 kVA = 60.00 %;
# 6225 kWh: peak 2725, flat 2700, valley 800; cost 2725 + 1620 + 240 = 4585 CNY.
DAY_ROW = (
    "<td>2026-11-02</td><td>600.000</td><td>100.000</td><td>259.375</td>"
    "<td>43.23 %</td><td>16.67 %</td><td>83.33 %</td><td>60.00 %</td><td>6225.000</td>"
)


def test_the_html_report_carries_the_hand_computed_metrics(client_for, power_user, loaded):
    page = client_for(power_user).get(f"/power/customers/{loaded.id}/report?month=2026-11")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert loaded.name in html and "2026-11-01 – 2026-11-30" in html
    assert DAY_ROW in "".join(line.strip() for line in html.splitlines())
    assert "<td>2725.000</td>" in html and "<td>800.000</td>" in html
    assert "4,585.00 CNY" in html
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="load-curve"' in html
    # The one day is the typical day: its 600 kW peak tops the chart's axis.
    assert ">600</text>" in html
    assert 'data-rule="shift_to_valley"' in html


def test_the_pdf_is_a_pdf_with_the_customer_s_figures(client_for, power_user, loaded):
    from pypdf import PdfReader

    answer = client_for(power_user).get(f"/power/customers/{loaded.id}/report.pdf?month=2026-11")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    assert answer.data.startswith(b"%PDF-")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(answer.data)).pages)
    for figure in (loaded.name, "600.000", "259.375", "43.23 %", "6225.000", "4,585.00"):
        assert figure in text, figure


def test_the_report_through_the_api(client_for, power_user, make_user, loaded):
    from pypdf import PdfReader

    client = client_for(power_user)
    url = f"/api/v1/power/customers/{loaded.id}/report"
    pdf = client.get(f"{url}?month=2026-11")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert f"power-report-{loaded.code}-2026-11.pdf" in pdf.headers["Content-Disposition"]
    assert "259.375" in PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    html = client.get(f"{url}?month=2026-11&format=html")
    assert html.mimetype == "text/html" and "4,585.00 CNY" in html.get_data(as_text=True)

    bad_month = client.get(f"{url}?month=2026-13")
    assert bad_month.status_code == 422 and "month" in str(bad_month.json)
    bad_format = client.get(f"{url}?month=2026-11&format=docx")
    assert bad_format.status_code == 422 and "format" in str(bad_format.json)
    assert client.get("/api/v1/power/customers/999999/report?month=2026-11").status_code == 404
    outsider = client_for(make_user("no-power", departments=["sales"]))
    assert outsider.get(f"{url}?month=2026-11").status_code == 403


def test_the_report_from_the_shell(cli, loaded, tmp_path):
    from pypdf import PdfReader

    out = tmp_path / "report.pdf"
    result = cli("power", "report", loaded.code, "--month", "2026-11", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "259.375" in PdfReader(str(out)).pages[0].extract_text()
    html = tmp_path / "report.html"
    cli("power", "report", loaded.code, "--month", "2026-11", "--out", str(html))
    assert "83.33 %" in html.read_text(encoding="utf-8")


def test_a_gap_breaks_the_chart_line():
    svg = str(report.svg_curve([1.0, 2.0, None, 4.0, 3.0], 15))
    assert svg.count("<polyline") == 2
    assert report.svg_curve([], None).count("<polyline") == 0
