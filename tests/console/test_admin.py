"""The console's admin pages: who may open them, and that each form does what the API
does — with refusals shown next to their field, never a 500."""

from __future__ import annotations

import dataclasses
import re
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from crm_host.core.db import Database
from crm_host.core.models import (
    ApiToken,
    AuditLog,
    CustomField,
    Department,
    Job,
    PluginEnablement,
    PluginInstallation,
    Role,
    User,
)
from crm_host.domain.directory import create_user
from crm_host.records import audit
from crm_host.runtime import queue
from crm_host.security.tokens import find_token
from crm_host.testing import build_app, login, prepare_database

PAGES = [
    "/admin/plugins",
    "/admin/plugins/sales",
    "/admin/plugins/sales/uninstall",
    "/admin/departments",
    "/admin/users",
    "/admin/roles",
    "/admin/tokens",
    "/admin/custom-fields",
    "/admin/audit",
    "/admin/jobs",
]


@pytest.fixture
def admin(make_user):
    return make_user("root", admin=True)


@pytest.fixture
def as_admin(admin, client_for):
    return client_for(admin)


def _text(response) -> str:
    return response.get_data(as_text=True)


def _errors(response) -> list[str]:
    """The messages shown next to fields (and the form's overall message)."""
    return re.findall(r'class="error"[^>]*>([^<]*)<', _text(response))


@pytest.mark.parametrize("path", PAGES)
def test_each_admin_page_opens_for_an_admin(as_admin, path):
    response = as_admin.get(path)
    assert response.status_code == 200, _text(response)[:2000]
    assert "csrf_token" in _text(response) or path in ("/admin/audit", "/admin/jobs")


@pytest.mark.parametrize("path", PAGES)
def test_each_admin_page_is_refused_to_an_agent_naming_the_permission(make_user, client_for, path):
    agent = make_user("agent", departments=["sales"], role="agent")
    response = client_for(agent).get(path)
    assert response.status_code == 403
    assert "host." in _text(response)


def test_anonymous_visitors_are_sent_to_sign_in(app):
    response = app.test_client().get("/admin/users")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_index_lists_only_the_sections_the_user_may_open(make_user, client_for, db):
    everything = _text(client_for(make_user("root", admin=True)).get("/admin"))
    for path in ("/admin/plugins", "/admin/users", "/admin/jobs", "/admin/audit"):
        assert f'href="{path}"' in everything
    agent = client_for(make_user("agent", departments=["sales"], role="agent")).get("/admin")
    assert agent.status_code == 200
    assert 'href="/admin/users"' not in _text(agent)
    assert 'href="/admin/plugins"' not in _text(agent)


# --- departments ------------------------------------------------------------------------


def test_creating_a_department_is_audited(as_admin, db):
    response = as_admin.post("/admin/departments", data={"code": "grid", "name": "Grid Works"})
    assert response.status_code == 302
    department = db.scalar(sa.select(Department).where(Department.code == "grid"))
    assert department is not None and department.name == "Grid Works"
    entry = db.scalar(sa.select(AuditLog).where(AuditLog.object_type == "department"))
    assert entry.actor == "root" and entry.object_id == str(department.id)
    assert "Grid Works" in _text(as_admin.get("/admin/departments"))


def test_a_bad_department_code_is_shown_next_to_the_field(as_admin, db):
    response = as_admin.post("/admin/departments", data={"code": "Bad Code", "name": "X"})
    assert response.status_code == 422
    assert "Use lower-case letters, digits, - or _." in _errors(response)
    assert 'value="Bad Code"' in _text(response)  # what was typed is kept
    assert db.scalar(sa.select(Department).where(Department.name == "X")) is None


def test_a_duplicate_department_is_refused(as_admin):
    response = as_admin.post("/admin/departments", data={"code": "sales", "name": "Sales 2"})
    assert response.status_code == 422
    assert "exists already" in _text(response)


# --- users ------------------------------------------------------------------------------


def test_creating_a_user_with_a_membership(as_admin, db):
    response = as_admin.post(
        "/admin/users",
        data={
            "username": "wang",
            "password": "long enough pw",
            "name": "Wang Fang",
            "email": "wang@example.com",
            "department": "service",
            "role": "agent",
        },
    )
    assert response.status_code == 302, _text(response)
    user = db.scalar(sa.select(User).where(User.username == "wang"))
    assert user.name == "Wang Fang" and user.is_active and not user.is_admin
    assert [(m.department.code, m.role.name) for m in user.memberships] == [("service", "agent")]
    entry = db.scalar(sa.select(AuditLog).where(AuditLog.object_type == "user"))
    assert entry.object_id == str(user.id) and "password" not in entry.after


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("password", "short", "At least 8 characters."),
        ("email", "not-an-email", "Not a valid email address."),
        ("department", "nowhere", "no department 'nowhere' (give its code or its name)"),
    ],
)
def test_a_bad_user_value_is_shown_next_to_its_field(as_admin, db, field, value, message):
    data = {"username": "li", "password": "long enough pw", "department": "", field: value}
    response = as_admin.post("/admin/users", data=data)
    assert response.status_code == 422
    assert f'id="e-{field}">{message}' in _text(response).replace("&#39;", "'")
    assert "long enough pw" not in _text(response)  # a password is never echoed
    assert db.scalar(sa.select(User).where(User.username == "li")) is None


def test_editing_a_user_password_active_flag_and_memberships(as_admin, make_user, db):
    ann = make_user("ann", departments=["sales"], role="agent")
    page = as_admin.get(f"/admin/users/{ann.id}")
    assert page.status_code == 200 and "Sales" in _text(page)

    saved = as_admin.post(f"/admin/users/{ann.id}", data={"name": "Ann Li", "email": ""})
    assert saved.status_code == 302
    db.refresh(ann)
    assert ann.name == "Ann Li" and not ann.is_active  # an unticked box switches it off

    short = as_admin.post(f"/admin/users/{ann.id}/password", data={"password": "short"})
    assert short.status_code == 422
    assert "Length must be between 8 and 1024." in _errors(short)  # the API's UserPatch rule
    assert (
        as_admin.post(
            f"/admin/users/{ann.id}/password", data={"password": "a new secret"}
        ).status_code
        == 302
    )

    as_admin.post(
        f"/admin/users/{ann.id}/memberships", data={"department": "service", "role": "viewer"}
    )
    as_admin.post(
        f"/admin/users/{ann.id}/memberships", data={"department": "sales", "action": "remove"}
    )
    db.expire_all()
    assert [(m.department.code, m.role.name) for m in ann.memberships] == [("service", "viewer")]
    bad = as_admin.post(f"/admin/users/{ann.id}/memberships", data={"department": "", "role": ""})
    assert bad.status_code == 422
    actions = db.scalars(
        sa.select(AuditLog.after).where(
            AuditLog.object_type == "user", AuditLog.object_id == str(ann.id)
        )
    ).all()
    assert {"password": "changed"} in actions


def test_creating_a_role_and_a_pattern_that_matches_nothing(as_admin, db):
    ok = as_admin.post(
        "/admin/roles",
        data={
            "name": "auditor",
            "label": "Auditor",
            "permissions": "host.audit.manage\n*.read all",
        },
    )
    assert ok.status_code == 302, _text(ok)
    role = db.scalar(sa.select(Role).where(Role.name == "auditor"))
    assert {(p.permission, p.scope) for p in role.permissions} == {
        ("host.audit.manage", "all"),
        ("*.read", "all"),
    }
    bad = as_admin.post(
        "/admin/roles", data={"name": "odd", "permissions": "*.read\nnothing.here own"}
    )
    assert bad.status_code == 422
    assert "Line 2: Matches no declared permission." in _errors(bad)
    scope = as_admin.post("/admin/roles", data={"name": "odd", "permissions": "*.read nowhere"})
    assert scope.status_code == 422 and any(m.startswith("Line 1:") for m in _errors(scope))


# --- API tokens ------------------------------------------------------------------------


def test_a_token_secret_is_shown_once_and_works_until_revoked(as_admin, admin, db):
    response = as_admin.post(
        "/admin/tokens",
        data={"name": "bridge", "scopes": "host.customers.*", "expires_in_days": "30"},
    )
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    secret = re.search(r"<code>(crm_[^<]+)</code>", _text(response)).group(1)
    token = find_token(db, secret)
    assert token is not None and token.user_id == admin.id and token.scopes == ["host.customers.*"]
    listing = _text(as_admin.get("/admin/tokens"))
    assert "bridge" in listing and secret not in listing

    assert as_admin.post(f"/admin/tokens/{token.id}/revoke").status_code == 302
    db.expire_all()
    assert find_token(db, secret) is None
    assert (
        db.scalar(
            sa.select(AuditLog.action)
            .where(AuditLog.object_type == "api_token")
            .order_by(AuditLog.id.desc())
        )
        == "revoke"
    )


def test_a_bad_token_lifetime_is_shown_next_to_the_field(as_admin, db):
    response = as_admin.post("/admin/tokens", data={"name": "x", "expires_in_days": "999"})
    assert response.status_code == 422
    assert 'id="e-expires_in_days"' in _text(response)
    blank = as_admin.post("/admin/tokens", data={"name": "", "expires_in_days": "5"})
    assert blank.status_code == 422 and 'id="e-name"' in _text(blank)
    assert db.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0


# --- custom fields ---------------------------------------------------------------------


def test_creating_a_custom_field(as_admin, db):
    response = as_admin.post(
        "/admin/custom-fields",
        data={
            "name": "industry",
            "type": "choice",
            "label": "Industry",
            "label_zh": "行业",
            "choices": "power, water",
            "required": "1",
        },
    )
    assert response.status_code == 302, _text(response)
    field = db.scalar(sa.select(CustomField).where(CustomField.name == "industry"))
    assert field.choices == ["power", "water"] and field.required and field.label_zh == "行业"
    assert "行业" in _text(as_admin.get("/admin/custom-fields"))


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "Bad Name", "type": "text", "label": "X"}, "name"),
        ({"name": "kind2", "type": "choice", "label": "X"}, "choices"),
        ({"name": "n", "type": "text", "label": "X", "position": "many"}, "position"),
        ({"name": "n", "type": "colour", "label": "X"}, "type"),
    ],
)
def test_a_bad_custom_field_is_shown_next_to_its_field(as_admin, db, data, field):
    response = as_admin.post("/admin/custom-fields", data=data)
    assert response.status_code == 422
    assert f'id="e-{field}"' in _text(response)
    assert db.scalar(sa.select(sa.func.count()).select_from(CustomField)) == 0


# --- plugins ---------------------------------------------------------------------------


def _enabled(db, plugin: str) -> set[str]:
    return set(
        db.scalars(
            sa.select(Department.code)
            .join(PluginEnablement, PluginEnablement.department_id == Department.id)
            .where(PluginEnablement.plugin_name == plugin)
        )
    )


def test_plugins_list_shows_installed_and_enabled_departments(as_admin):
    page = _text(as_admin.get("/admin/plugins"))
    for name in ("sales", "service", "marketing", "industry_power"):
        assert f'href="/admin/plugins/{name}"' in page
    assert "Service Centre" in page


def test_enabling_and_disabling_a_plugin_for_a_department(as_admin, db):
    assert "marketing" not in _enabled(db, "sales")
    enabled = as_admin.post(
        "/admin/plugins/sales/departments", data={"department": "marketing", "action": "enable"}
    )
    assert enabled.status_code == 302
    assert "marketing" in _enabled(db, "sales")
    disabled = as_admin.post(
        "/admin/plugins/sales/departments", data={"department": "marketing", "action": "disable"}
    )
    assert disabled.status_code == 302
    assert _enabled(db, "sales") == {"sales"}
    actions = db.scalars(
        sa.select(AuditLog.action)
        .where(AuditLog.object_type == "plugin", AuditLog.object_id == "sales")
        .order_by(AuditLog.id)
    ).all()
    assert actions == ["enable", "disable"]
    followed = as_admin.get("/admin/plugins/sales")
    assert "its data is kept" in _text(followed)


def test_enabling_for_an_unknown_department_is_refused_on_the_page(as_admin):
    response = as_admin.post(
        "/admin/plugins/sales/departments", data={"department": "nowhere", "action": "enable"}
    )
    assert response.status_code == 422
    assert "no department" in _text(response)


def test_an_unknown_plugin_is_a_404_page(as_admin):
    assert as_admin.get("/admin/plugins/nosuch").status_code == 404
    assert as_admin.get("/admin/plugins/nosuch/uninstall").status_code == 404


def test_installing_an_installed_plugin_changes_nothing(as_admin):
    response = as_admin.post("/admin/plugins/sales/install", follow_redirects=True)
    assert response.status_code == 200
    assert "sales is installed already." in _text(response)


def test_uninstall_dry_run_lists_tables_and_needs_the_name(as_admin):
    plan = as_admin.get("/admin/plugins/sales/uninstall")
    assert plan.status_code == 200
    page = _text(plan)
    assert "sales_opportunities" in page or "<td>sales_" in page
    assert "Sales" in page  # the department it would be disabled for
    wrong = as_admin.post("/admin/plugins/sales/uninstall", data={"confirm": "service"})
    assert wrong.status_code == 422
    assert "Type the plugin&#39;s name, sales, to confirm." in _text(wrong)


def test_install_and_uninstall_from_the_console(crm_databases, tmp_path):
    """On a database of its own: the change is real and the archive is written."""
    url = crm_databases.create("console-plugins")
    prepare_database(url, [], {"sales": ("Sales", [])})
    app = build_app(url, tmp_path)
    database = Database(url)
    try:
        with database.session() as session:
            root = create_user(session, username="root", password="quiet-harbour-77", is_admin=True)
        client = login(app.test_client(), root)

        installed = client.post("/admin/plugins/sales/install", follow_redirects=True)
        assert installed.status_code == 200
        assert "Installed sales. Restart web and worker processes" in _text(installed)
        with database.session() as session:
            assert session.get(PluginInstallation, "sales") is not None
        assert "restart to load it" in _text(client.get("/admin/plugins"))
        client.post(
            "/admin/plugins/sales/departments", data={"department": "sales", "action": "enable"}
        )

        plan = client.get("/admin/plugins/sales/uninstall")
        assert plan.status_code == 200 and "<td>sales_" in _text(plan)
        done = client.post(
            "/admin/plugins/sales/uninstall", data={"confirm": "sales"}, follow_redirects=True
        )
        assert done.status_code == 200
        assert "Uninstalled sales" in _text(done) and "Restart web and worker" in _text(done)
        with database.session() as session:
            assert session.get(PluginInstallation, "sales") is None
            assert session.scalar(sa.select(sa.func.count()).select_from(PluginEnablement)) == 0
            entry = session.scalar(sa.select(AuditLog).where(AuditLog.action == "uninstall"))
            archive = Path(entry.after["archive"])
        assert archive.parent == tmp_path / "archives"
        with zipfile.ZipFile(archive) as zipped:
            assert "manifest.json" in zipped.namelist()
        assert client.get("/admin/plugins/sales/uninstall").status_code == 409
    finally:
        database.dispose()


# --- audit log -------------------------------------------------------------------------


def test_audit_log_filters_and_pages_newest_first(as_admin, admin, db):
    for number in range(1, 56):
        audit.record(db, "update", "customer", number, actor=admin, after={"n": number})
    audit.record(db, "create", "department", 7, actor=admin)
    db.commit()

    first = _text(as_admin.get("/admin/audit", query_string={"object_type": "customer"}))
    rows = re.findall(r"customer (\d+)</a>", first)
    assert rows[:3] == ["55", "54", "53"] and len(rows) == 50
    cursor = re.search(r'rel="next" href="[^"]*cursor=([^&"]+)', first).group(1)
    second = _text(
        as_admin.get("/admin/audit", query_string={"object_type": "customer", "cursor": cursor})
    )
    assert re.findall(r"customer (\d+)</a>", second) == ["5", "4", "3", "2", "1"]

    one = _text(
        as_admin.get("/admin/audit", query_string={"object_type": "customer", "object_id": "7"})
    )
    assert re.findall(r"customer (\d+)</a>", one) == ["7"]
    created = _text(
        as_admin.get("/admin/audit", query_string={"action": "create", "actor": "root"})
    )
    assert "department 7" in created and "customer 7" not in created
    nobody = _text(as_admin.get("/admin/audit", query_string={"actor": "nobody"}))
    assert "No entries match." in nobody


def test_audit_log_refuses_a_bad_cursor_without_failing(as_admin):
    response = as_admin.get("/admin/audit", query_string={"cursor": "!!"})
    assert response.status_code == 422
    assert "Not a cursor." in _text(response)


# --- jobs ------------------------------------------------------------------------------


def _parked_job(db) -> int:
    job_id, _created = queue.insert_job(db, name="host.prune", args={"days": 3})
    db.execute(
        sa.update(Job)
        .where(Job.id == job_id)
        .values(status="failed", attempts=5, last_error="RuntimeError: disk full\nTraceback …")
    )
    db.commit()
    return job_id


def test_jobs_list_by_status_detail_and_retry(as_admin, db):
    job_id = _parked_job(db)
    failed = _text(as_admin.get("/admin/jobs", query_string={"status": "failed"}))
    assert f'href="/admin/jobs/{job_id}"' in failed and "RuntimeError: disk full" in failed
    queued = _text(as_admin.get("/admin/jobs", query_string={"status": "queued"}))
    assert f'href="/admin/jobs/{job_id}"' not in queued

    detail = as_admin.get(f"/admin/jobs/{job_id}")
    assert detail.status_code == 200 and "Traceback" in _text(detail)
    retried = as_admin.post(f"/admin/jobs/{job_id}/retry", follow_redirects=True)
    assert retried.status_code == 200
    db.expire_all()
    job = db.get(Job, job_id)
    assert job.status == "queued" and job.attempts == 0
    assert db.scalar(sa.select(AuditLog.action).where(AuditLog.object_type == "job")) == "retry"

    again = as_admin.post(f"/admin/jobs/{job_id}/retry", follow_redirects=True)
    assert again.status_code == 200
    assert "only failed jobs can be retried" in _text(again)
    assert as_admin.post("/admin/jobs/999999/retry").status_code == 404


def test_jobs_filter_refuses_an_unknown_status(as_admin):
    response = as_admin.get("/admin/jobs", query_string={"status": "exploded"})
    assert response.status_code == 422
    assert 'id="e-status"' in _text(response) or "Must be one of" in _text(response)


# --- languages -------------------------------------------------------------------------


CHINESE = {
    "/admin": "其他系统调用 API 所用的令牌。",
    "/admin/plugins": "已启用的部门",
    "/admin/plugins/sales": "<h1>销售 ",  # the manifest's Chinese label
    "/admin/plugins/sales/uninstall": "归档并卸载",
    "/admin/departments": "新建部门",
    "/admin/users": "新建用户",
    "/admin/users/{me}": "专员",  # the standard role's label among the choices
    "/admin/roles": "查看部门、用户和角色",
    "/admin/tokens": "为自己新建令牌",
    "/admin/custom-fields": "新建自定义字段",
    "/admin/audit": "没有符合条件的记录。",
    "/admin/jobs": "失败（已挂起）",
}


@pytest.mark.parametrize(("path", "expected"), CHINESE.items())
def test_admin_pages_speak_chinese(admin, as_admin, db, path, expected):
    admin.locale = "zh_Hans"
    db.commit()
    _parked_job(db)
    response = as_admin.get(path.format(me=admin.id))
    assert response.status_code == 200
    assert expected in _text(response)


def test_a_refused_form_reads_in_chinese(admin, as_admin, db):
    admin.locale = "zh_Hans"
    db.commit()
    response = as_admin.post("/admin/departments", data={"code": "Bad Code", "name": "X"})
    assert response.status_code == 422
    assert "请使用小写字母、数字、- 或 _。" in _errors(response)
    created = as_admin.post(
        "/admin/departments", data={"code": "grid", "name": "Grid"}, follow_redirects=True
    )
    assert "已创建部门 Grid。" in _text(created)


# --- bad input is a 4xx, never a 500 ---------------------------------------------------

LONG = "长" * 300


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/admin/departments", {"code": "x" * 100, "name": LONG}),
        ("/admin/departments", {"code": "ok", "name": ""}),
        ("/admin/users", {"username": "", "password": ""}),
        ("/admin/users", {"username": LONG, "password": "p" * 2000, "email": "@" * 400}),
        (
            "/admin/users",
            {"username": "u1", "password": "long enough", "department": "sales", "role": "nosuch"},
        ),
        ("/admin/roles", {"name": "", "permissions": ""}),
        ("/admin/roles", {"name": "Bad Name!", "label": LONG, "permissions": "a b c"}),
        ("/admin/tokens", {"name": LONG, "scopes": ",,,", "expires_in_days": "abc"}),
        ("/admin/tokens", {"name": "t", "expires_in_days": "-1"}),
        ("/admin/custom-fields", {"name": "", "type": "", "label": ""}),
        (
            "/admin/custom-fields",
            {"name": "f", "type": "text", "label": "L", "position": "99999999999999999999"},
        ),
        ("/admin/plugins/sales/departments", {}),
        ("/admin/plugins/sales/uninstall", {}),
    ],
)
def test_every_admin_form_refuses_bad_input_with_a_4xx(as_admin, path, data):
    response = as_admin.post(path, data=data)
    assert 400 <= response.status_code < 500, _text(response)[:3000]


@pytest.mark.parametrize(
    "query",
    [
        "/admin/audit?actor=" + "x" * 300,
        "/admin/audit?cursor=eyJ4IjoxfQ",
        "/admin/jobs?cursor=WyJhIiwgImIiXQ",
        "/admin/jobs?name=" + "n" * 300,
    ],
)
def test_list_filters_refuse_bad_values_with_a_4xx(as_admin, query):
    response = as_admin.get(query)
    assert 400 <= response.status_code < 500, _text(response)[:3000]


def test_unknown_users_tokens_and_jobs_are_404_pages(as_admin):
    assert as_admin.get("/admin/users/999999").status_code == 404
    assert as_admin.post("/admin/users/999999/password", data={"password": "x"}).status_code == 404
    assert as_admin.post("/admin/tokens/999999/revoke").status_code == 404
    assert as_admin.get("/admin/jobs/999999").status_code == 404


@pytest.fixture
def marketing_requires_sales(app, monkeypatch):
    """The marketing plugin's manifest as if it required sales."""
    manifests = app.extensions["crm"].discovery.manifests
    monkeypatch.setitem(
        manifests, "marketing", dataclasses.replace(manifests["marketing"], requires=("sales",))
    )


def test_dependency_checks_are_shown_on_the_plugin_page(as_admin, db, marketing_requires_sales):
    missing = as_admin.post(
        "/admin/plugins/marketing/departments", data={"department": "service", "action": "enable"}
    )
    assert missing.status_code == 422
    assert "requires sales, which is not enabled for Service Centre" in _text(missing)
    assert "service" not in _enabled(db, "marketing")

    enabled = as_admin.post(
        "/admin/plugins/marketing/departments", data={"department": "sales", "action": "enable"}
    )
    assert enabled.status_code == 302
    needed = as_admin.post(
        "/admin/plugins/sales/departments", data={"department": "sales", "action": "disable"}
    )
    assert needed.status_code == 422
    assert "marketing require it there" in _text(needed)
    assert "sales" in _enabled(db, "sales")

    refused = as_admin.get("/admin/plugins/sales/uninstall")
    assert refused.status_code == 409
    assert "installed plugin(s) marketing require it" in _text(refused)
    assert 'name="confirm"' not in _text(refused)
