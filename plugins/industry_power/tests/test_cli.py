"""``crm power …``: import readings, print the load curve, advice, bills, faults."""

from __future__ import annotations

from datetime import date


def test_import_curve_advice_and_bill_from_the_shell(
    cli, db, account, tmp_path, day_csv, hand_made_day
):
    path = tmp_path / "day.csv"
    path.write_text(day_csv("M1", date(2026, 11, 2), hand_made_day) + "M1,2026-11-02 24:00,1\n")
    result = cli("power", "import-readings", str(path), "--interval", "15", "--unit", "kWh")
    assert result.exit_code == 0, result.output
    assert "refused line 98: meter M1: timestamp '2026-11-02 24:00'" in result.output
    assert "97 rows: 96 new, 0 changed, 0 unchanged readings; 1 refused, 0 gaps" in result.output
    again = cli("power", "import-readings", str(path), "--interval", "15", "--unit", "kWh")
    assert "0 new, 0 changed, 96 unchanged" in again.output

    curve = cli("power", "load-curve", "A1", "--day", "2026-11-02")
    lines = curve.output.splitlines()
    assert lines[76] == "19:00\t600.000\tpeak" and len(lines) == 97
    assert "max 600.000 kW, min 100.000 kW, avg 259.375 kW, load factor 0.4323" in lines[-1]
    assert "cost 4585.00 CNY" in lines[-1]

    advice = cli("power", "advice", "A1", "--last-day", "2026-11-02")
    assert "A1\tshift_to_valley\t5722.50 CNY/month" in advice.output
    bill = cli("power", "bill", "2026-11")
    assert bill.output.strip() == "1 bills computed for 2026-11"


def _invoke(app, *args):
    """Run a command, catching its failure (the ``cli`` fixture lets exceptions through)."""
    from crm_host.cli.main import cli as crm

    return app.test_cli_runner().invoke(crm, list(args))


def test_the_interval_and_unit_must_be_declared(app, tmp_path, account):
    path = tmp_path / "r.csv"
    path.write_text("meter,timestamp,value\n")
    missing = _invoke(app, "power", "import-readings", str(path), "--interval", "15")
    assert missing.exit_code == 2 and "--unit" in missing.output


def test_fault_from_the_shell_opens_a_ticket(app, cli, db, account):
    result = cli("power", "report-fault", "A1", "10kV 进线开关跳闸", "--phone", "13900000000")
    assert result.exit_code == 0 and "service ticket #" in result.output
    unknown = _invoke(app, "power", "load-curve", "NOPE")
    assert unknown.exit_code == 1 and "no account NOPE" in unknown.output
