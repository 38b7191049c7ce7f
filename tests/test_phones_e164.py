"""One number typed three ways is one E.164 value: stored, found and deduplicated as one."""

from __future__ import annotations

import sqlalchemy as sa

from crm_host.cli.main import cli as crm
from crm_host.core.models import Customer
from crm_host.core.phones import to_e164
from crm_host.domain.customers import dedupe

#: The same mobile number as people type it: international, national, with the trunk 0.
FORMS = ("+86 138-0013-8000", "13800138000", "013800138000")
E164 = "+8613800138000"


def test_each_form_reads_as_the_same_number(app):
    assert [to_e164(form) for form in FORMS] == [E164, E164, E164]
    assert to_e164("020 8123 4567", "GB") == "+442081234567"
    with app.app_context():
        app.config["PHONE_REGION"] = "GB"
        assert to_e164("020 8123 4567") == "+442081234567"
        app.config["PHONE_REGION"] = "CN"


def test_three_forms_are_stored_as_one_value_and_found_by_each(db, make_user, client_for):
    manager = client_for(make_user("mona", departments=["sales", "service"], role="manager"))
    for i, form in enumerate(FORMS):
        answer = manager.post(
            "/api/v1/customers",
            json={"code": f"T{i}", "name": f"客户{i}", "kind": "person", "phone": form},
        )
        assert answer.status_code == 201, answer.json
        assert answer.json["phone"] == E164
    stored = db.scalars(sa.select(Customer.phone).order_by(Customer.code)).all()
    assert stored == [E164, E164, E164]
    for form in FORMS:
        found = manager.get("/api/v1/customers", query_string={"q": form}).json["items"]
        assert sorted(c["code"] for c in found) == ["T0", "T1", "T2"], form
        called = manager.get("/api/v1/service/lookup", query_string={"phone": form}).json
        assert sorted(c["code"] for c in called) == ["T0", "T1", "T2"], form
    groups = [(g.key, g.value, len(g.customer_ids)) for g in dedupe.find_duplicates(db, ["phone"])]
    assert groups == [("phone", E164, 3)]


def test_an_import_stores_e164_and_names_an_unreadable_phone(committed_app, committed_db, tmp_path):
    source = tmp_path / "customers.csv"
    source.write_text(
        "code,name,kind,phone\n"
        "I1,甲,person,+8613800138000\n"
        "I2,乙,person,138 0013 8000\n"
        "I3,丙,person,013800138000\n"
        "I4,丁,person,call me\n",
        encoding="utf-8",
    )
    result = committed_app.test_cli_runner().invoke(crm, ["customers", "import", str(source)])
    assert result.exit_code == 0, result.output
    assert "3 created, 0 updated, 0 unchanged, 1 rejected" in result.output
    with committed_db.session() as session:
        phones = session.execute(sa.select(Customer.code, Customer.phone).order_by(Customer.code))
        assert phones.all() == [("I1", E164), ("I2", E164), ("I3", E164)]
    rejects = (tmp_path / "customers.csv.rejects.csv").read_text(encoding="utf-8-sig")
    # The reason names the column and the value; the row's phone cell is masked as ever.
    assert rejects.splitlines()[1] == (
        '5,"phone: Not a valid phone number: digits, optionally starting with +. '
        "Typed: 'call me'.\",I4,丁,person,c**l me"
    )
