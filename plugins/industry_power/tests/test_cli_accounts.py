"""``crm power accounts|meters|equipment …`` and the load curve's metric set from the shell."""

from __future__ import annotations

import re

import sqlalchemy as sa
from crm_industry_power.models import Account, Equipment, Meter


def _invoke(app, *args):
    from crm_host.cli.main import cli as crm

    return app.test_cli_runner().invoke(crm, list(args))


def test_accounts_meters_and_equipment_are_made_from_the_shell(app, db, make_customer):
    customer = make_customer(kind="organization")
    made = _invoke(
        app, "power", "accounts", "create", "SUB-7", "--customer", customer.code,
        "--service-point", "220kV 东郊变", "--category", "substation",
        "--voltage-level", "220kV", "--kva", "50000000", "--display-unit", "MW",
        "--refuse-overload",
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    account = db.scalar(sa.select(Account).where(Account.number == "SUB-7"))
    assert account.contracted_kva == 50_000_000 and account.display_unit == "MW"
    assert account.refuse_overload is True and account.customer_id == customer.id
    meter = _invoke(app, "power", "meters", "add", "SUB-7-Q", "--account", "SUB-7",
                    "--multiplier", "1200", "--quantity", "reactive")  # fmt: skip
    assert meter.exit_code == 0, meter.output
    row = db.scalar(sa.select(Meter).where(Meter.number == "SUB-7-Q"))
    assert (row.account_id, row.multiplier, row.quantity) == (account.id, 1200, "reactive")
    item = _invoke(app, "power", "equipment", "add", "SUB-7", "--kind", "transformer",
                   "--name", "1# 主变", "--rated-kva", "240000", "--installed-on", "2020-06-01")  # fmt: skip
    assert item.exit_code == 0, item.output
    assert db.scalar(sa.select(Equipment.rated_kva).where(Equipment.account_id == account.id)) == (
        240000
    )
    listed = _invoke(app, "power", "accounts", "list", "--category", "substation")
    assert listed.output.splitlines() == ["SUB-7\tsubstation\t50000000.0 kVA\tMW\t220kV 东郊变"]
    shown = _invoke(app, "power", "accounts", "show", "SUB-7").output
    assert "contracted kVA: 50000000.0" in shown and "refuse overload: yes" in shown
    assert "meter SUB-7-Q: ×1200.000, reactive" in shown
    assert "equipment transformer: 1# 主变, 240000.0 kVA" in shown


def test_bad_input_is_one_line_naming_the_field(app, db, make_customer):
    customer = make_customer(kind="organization")
    base = ["power", "accounts", "create", "R-1", "--customer", customer.code,
            "--service-point", "幸福小区", "--category", "residential", "--voltage-level", "0.4kV"]  # fmt: skip
    over = _invoke(app, *base, "--kva", "2000")
    assert over.exit_code == 1
    assert over.output.strip() == (
        "Error: the account is not valid: contracted_kva (--kva): "
        "Greater than 0 and at most 1,000 kVA for a residential account."
    )
    assert "Traceback" not in over.output
    words = _invoke(app, *base, "--kva", "lots")
    assert words.exit_code == 1 and "contracted_kva (--kva): A number." in words.output
    nobody = _invoke(app, *base[:4], "--customer", "NOBODY", *base[6:], "--kva", "5")
    assert nobody.exit_code == 1
    assert nobody.output.strip() == "Error: customer (--customer): no customer NOBODY"
    meter = _invoke(app, "power", "meters", "add", "M 1", "--account", "NOPE")
    assert meter.exit_code == 1 and meter.output.strip() == "Error: no account NOPE"
    assert db.scalar(sa.select(Account).where(Account.number == "R-1")) is None


def test_the_load_curve_prints_the_api_s_metric_set_in_the_account_s_unit(
    app, db, api, make_account, tmp_path
):
    account = make_account("S9", meters=("S9-M",), kva="50000000", category="substation",
                           display_unit="MW")  # fmt: skip
    # Four quarter hours in MW: 10, 40, 20, 10. Max 40 MW, min 10 MW, avg 20 MW;
    # load factor 0.5, minimum-load ratio 10 / 40 = 0.25; 20 MW for an hour = 20 MWh.
    path = tmp_path / "mw.csv"
    rows = [f"S9-M,2026-11-05 00:{15 * i:02d},{v}" for i, v in enumerate((10, 40, 20, 10))]
    path.write_text("meter,timestamp,value (MW)\n" + "\n".join(rows) + "\n")
    imported = _invoke(app, "power", "import-readings", str(path), "--interval", "15")
    assert imported.exit_code == 0, imported.output
    curve = _invoke(app, "power", "load-curve", "S9", "--day", "2026-11-05")
    assert curve.exit_code == 0, curve.output
    lines = curve.output.splitlines()
    assert lines[:2] == ["00:00\t10.000\tvalley", "00:15\t40.000\tvalley"]
    summary = lines[-1]
    assert summary.startswith("max 40.000 MW, min 10.000 MW, avg 20.000 MW, load factor 0.5000")
    assert "energy 20.000 MWh" in summary
    printed = float(re.search(r"min-load ratio ([0-9.]+)", summary).group(1))
    answer = api.get(f"/api/v1/power/accounts/{account.id}/load-curve?day=2026-11-05").get_json()
    assert answer["metrics"]["min_ratio"] == 0.25 == printed
    assert answer["display_unit"] == "MW"
    assert [f["key"] for f in answer["figures"]] == [
        "max_demand", "min_demand", "avg_demand", "load_factor", "min_ratio",
        "peak_valley_rate", "utilisation", "energy",
    ]  # fmt: skip
    by_key = {f["key"]: f for f in answer["figures"]}
    assert (by_key["max_demand"]["value"], by_key["max_demand"]["unit"]) == (40, "MW")
    assert by_key["min_ratio"]["value"] == printed
