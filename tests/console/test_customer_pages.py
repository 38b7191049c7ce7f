"""The customer pages of the console: list, create and edit with per-field errors,
the 360° view, merge, export and import, in English and in Chinese."""

from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa

from crm_host.core.models import Customer, Interaction
from crm_host.domain.customers import service


@pytest.fixture
def admin(make_user):
    return make_user("root", admin=True, departments=["sales"])


@pytest.fixture
def browser(client_for, admin):
    return client_for(admin)


def _customer(db, code="C1", **fields):
    customer = service.create_customer(
        db, {"code": code, "name": f"Name {code}", "kind": "person", **fields}
    )
    db.commit()
    return customer


def test_list_filters_and_pages(db, browser):
    for n in range(30):
        _customer(db, f"L{n:02d}", city="Hangzhou" if n % 2 else "Ningbo")
    page = browser.get("/customers?city=Ningbo&sort=code")
    assert page.status_code == 200
    codes = re.findall(r">(L\d\d)</a>", page.text)
    assert codes == [f"L{n:02d}" for n in range(0, 30, 2)]
    first = browser.get("/customers?sort=code&limit=25")
    assert len(re.findall(r">(L\d\d)</a>", first.text)) == 25
    cursor = re.search(r'rel="next" href="[^"]*cursor=([^&"]+)', first.text).group(1)
    second = browser.get(f"/customers?sort=code&cursor={cursor}")
    assert re.findall(r">(L\d\d)</a>", second.text) == ["L25", "L26", "L27", "L28", "L29"]


def test_bad_filters_and_cursor_are_shown_not_500(browser):
    page = browser.get("/customers?kind=alien")
    assert page.status_code == 200
    assert 'id="e-kind">Must be one of' in page.text
    page = browser.get("/customers?cursor=%%%")
    assert page.status_code == 200
    assert "Not a cursor." in page.text


def test_create_shows_errors_next_to_fields_and_keeps_input(db, browser):
    page = browser.post(
        "/customers/new",
        data={
            "code": "N1",
            "name": "王芳",
            "kind": "person",
            "email": "not-an-email",
            "phone": "12",
        },
    )
    assert page.status_code == 200
    assert re.search(r'id="f-email"[^>]*aria-invalid="true"', page.text)
    assert 'id="e-email">Not a valid email address.' in page.text
    assert 'id="e-phone">Not a valid phone number' in page.text
    assert 'value="王芳"' in page.text  # what was typed is kept
    assert db.scalar(sa.select(Customer).where(Customer.code == "N1")) is None

    done = browser.post(
        "/customers/new",
        data={
            "code": "N1",
            "name": "王芳",
            "kind": "person",
            "lifecycle_stage": "lead",
            "email": "wang@example.cn",
            "tags": "vip， 重点",
            "departments": "sales",
        },
    )
    assert done.status_code == 302
    customer = db.scalar(sa.select(Customer).where(Customer.code == "N1"))
    assert customer.email == "wang@example.cn"
    assert sorted(t.name for t in customer.tags) == ["vip", "重点"]
    assert [d.code for d in customer.departments] == ["sales"]


def test_duplicate_code_is_an_error_on_the_code_field(db, browser):
    _customer(db, "D1")
    page = browser.post("/customers/new", data={"code": "D1", "name": "x", "kind": "person"})
    assert 'id="e-code">Already used by another customer.' in page.text


def test_edit_in_chinese_shows_translated_errors(db, browser, admin):
    customer = _customer(db, "E1")
    admin.locale = "zh_Hans"
    db.commit()
    page = browser.post(
        f"/customers/{customer.id}/edit", data={"code": "E1", "name": "", "kind": "person"}
    )
    assert page.status_code == 200
    assert 'id="e-name">必填。' in page.text
    assert '<html lang="zh-Hans">' in page.text
    ok = browser.post(
        f"/customers/{customer.id}/edit",
        data={
            "code": "E1",
            "name": "新名字",
            "kind": "organization",
            "lifecycle_stage": "customer",
        },
    )
    assert ok.status_code == 302
    db.refresh(customer)
    assert (customer.name, customer.kind.value) == ("新名字", "organization")


def test_360_view_children_notes_and_their_errors(db, browser):
    customer = _customer(db, "V1", phone="+8613800000000")
    bad = browser.post(f"/customers/{customer.id}/contacts", data={"name": "", "email": "x"})
    assert bad.status_code == 422
    assert 'id="e-name"' in bad.text
    assert (
        browser.post(
            f"/customers/{customer.id}/contacts", data={"name": "李雷", "title": "经理"}
        ).status_code
        == 302
    )
    assert (
        browser.post(
            f"/customers/{customer.id}/addresses",
            data={"kind": "billing", "line1": "西湖路 1 号", "city": "杭州"},
        ).status_code
        == 302
    )
    bad_note = browser.post(
        f"/customers/{customer.id}/notes", data={"channel": "pigeon", "subject": ""}
    )
    assert bad_note.status_code == 422
    assert 'id="e-channel"' in bad_note.text and 'id="e-subject"' in bad_note.text
    assert (
        browser.post(
            f"/customers/{customer.id}/notes", data={"channel": "phone", "subject": "回访"}
        ).status_code
        == 302
    )
    view = browser.get(f"/customers/{customer.id}")
    for expected in ("李雷", "西湖路 1 号", "回访", "+8613800000000"):
        assert expected in view.text
    assert (
        db.scalar(
            sa.select(sa.func.count())
            .select_from(Interaction)
            .where(Interaction.customer_id == customer.id)
        )
        == 1
    )


def test_merge_compares_then_merges(db, browser):
    a_id, b_id = _customer(db, "M1").id, _customer(db, "M2").id
    unknown = browser.post("/customers/merge", data={"survivor": "M1", "merged": "NOPE"})
    assert "No customer with code NOPE." in unknown.text
    compare = browser.post("/customers/merge", data={"survivor": "M1", "merged": "M2"})
    assert compare.status_code == 200 and 'name="confirm"' in compare.text
    assert db.get(Customer, b_id) is not None  # comparing changes nothing
    merged = browser.post(
        "/customers/merge", data={"survivor": "M1", "merged": "M2", "confirm": "yes"}
    )
    assert merged.status_code == 302 and merged.location.endswith(f"/customers/{a_id}")
    db.expire_all()
    assert db.get(Customer, b_id) is None


def test_export_neutralises_formulas(db, browser):
    _customer(db, "X1", city="=HYPERLINK(1)")
    response = browser.get("/customers/export?format=csv")
    assert response.status_code == 200
    assert "'=HYPERLINK(1)" in response.get_data(as_text=True)
    assert browser.get("/customers/export?format=pdf").status_code == 404


def test_import_upload_progress_and_rejects(db, browser, run_jobs):
    data = "code,name,kind,email\nI1,甲,person,a@example.cn\nI2,,person,\nI3,丙,robot,\n".encode()
    started = browser.post(
        "/customers/imports/new",
        data={"file": (io.BytesIO(data), "people.csv")},
        content_type="multipart/form-data",
    )
    assert started.status_code == 302
    job_page = started.location
    running = browser.get(job_page)
    assert 'hx-trigger="every 1s"' in running.text
    run_jobs()
    finished = browser.get(job_page, headers={"HX-Request": "true"})
    assert 'data-status="done"' in finished.text and "hx-trigger" not in finished.text
    assert "2 rows refused" in finished.text
    rejects = browser.get(job_page + "/rejects").get_data(as_text=True)
    assert "I2" in rejects and "I3" in rejects and "I1" not in rejects
    assert db.scalar(sa.select(Customer.name).where(Customer.code == "I1")) == "甲"


def test_import_without_a_known_format_is_an_error_on_the_form(browser):
    page = browser.post(
        "/customers/imports/new",
        data={"file": (io.BytesIO(b"x"), "people.pdf")},
        content_type="multipart/form-data",
    )
    assert page.status_code == 200
    assert "Cannot tell the format from the name." in page.text


def test_a_user_without_the_permission_gets_403_naming_it(make_user, client_for):
    viewer = make_user("vera", departments=["sales"], role="viewer")
    page = client_for(viewer).get("/customers/new")
    assert page.status_code == 403
    assert "host.customers.write" in page.text


def test_anonymous_users_are_sent_to_sign_in(app):
    response = app.test_client().get("/customers?q=x")
    assert response.status_code == 302
    assert (
        "/login?next=/customers?q%3Dx" in response.location
        or "/login?next=%2Fcustomers" in response.location
    )


def test_charts_answer_json(db, browser):
    _customer(db, "G1", lifecycle_stage="customer")
    data = browser.get("/charts/customers-by-stage").get_json()
    assert data["labels"] == ["Lead", "Prospect", "Customer", "Inactive"]
    assert data["series"][0]["values"][2] >= 1
    assert browser.get("/").status_code == 200


def test_dates_follow_the_language_and_the_company_timezone(db, browser, admin):
    from datetime import UTC, datetime

    from crm_host.records import timeline

    customer = _customer(db, "T1")
    # 02:00 UTC is 10:00 in Asia/Shanghai, the company's timezone.
    timeline.add_entry(
        db,
        customer_id=customer.id,
        channel="phone",
        subject="call",
        occurred_at=datetime(2026, 1, 5, 2, 0, tzinfo=UTC),
    )
    db.commit()
    # CLDR puts a narrow no-break space before AM; \s matches it.
    assert re.search(r"1/5/26, 10:00\sAM", browser.get(f"/customers/{customer.id}").text)
    admin.locale = "zh_Hans"
    db.commit()
    page = browser.get(f"/customers/{customer.id}").text
    assert "2026/1/5 10:00" in page
    assert "电话 · 内部" in page  # channel and direction in Chinese


def test_the_language_switch_is_kept_on_the_user(db, browser, admin):
    response = browser.post("/language", data={"locale": "zh_Hans", "next": "/customers"})
    assert response.status_code == 302 and response.location.endswith("/customers")
    db.refresh(admin)
    assert admin.locale == "zh_Hans"
    assert "<h1>客户</h1>" in browser.get("/customers").text
    # An unknown language or an outside address changes nothing and goes nowhere else.
    response = browser.post("/language", data={"locale": "xx", "next": "https://evil.example/"})
    assert response.location.endswith("/")
    db.refresh(admin)
    assert admin.locale == "zh_Hans"


def test_lazy_strings_work_outside_a_request(app):
    from flask_babel import lazy_gettext

    with app.app_context():  # a job or a command: no request, no user, no browser
        assert str(lazy_gettext("Customers")) == "Customers"


def test_edit_form_keeps_typed_values_when_someone_else_saved_meanwhile(db, browser):
    customer = _customer(db, "VER1", city="Ningbo")
    form = browser.get(f"/customers/{customer.id}/edit")
    assert 'name="version" value="1"' in form.text
    # Another user saves the customer while this form is open.
    service.update_customer(db, customer, {"city": "Suzhou"})
    db.commit()
    typed = {"code": "VER1", "name": "Typed Name", "kind": "person", "lifecycle_stage": "lead"}
    conflict = browser.post(f"/customers/{customer.id}/edit", data={**typed, "version": "1"})
    assert conflict.status_code == 409
    assert "Someone else changed this record" in conflict.text
    assert 'value="Typed Name"' in conflict.text  # what the user typed is still there
    assert 'name="version" value="2"' in conflict.text  # saving again overwrites on purpose
    db.expire_all()
    stored = db.get(Customer, customer.id)
    assert (stored.name, stored.city, stored.version) == ("Name VER1", "Suzhou", 2)
    saved = browser.post(f"/customers/{customer.id}/edit", data={**typed, "version": "2"})
    assert saved.status_code == 302
    db.expire_all()
    assert db.get(Customer, customer.id).name == "Typed Name"


def test_edit_form_conflict_message_is_in_chinese(db, browser, admin):
    admin.locale = "zh_Hans"
    db.flush()
    client = browser
    customer = _customer(db, "VER2")
    service.update_customer(db, customer, {"city": "Suzhou"})
    db.commit()
    data = {
        "code": "VER2",
        "name": "x",
        "kind": "person",
        "lifecycle_stage": "lead",
        "version": "1",
    }
    answer = client.post(f"/customers/{customer.id}/edit", data=data)
    assert answer.status_code == 409
    assert "其他人已修改了此记录" in answer.text
