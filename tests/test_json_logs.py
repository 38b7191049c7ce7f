"""JSON logs: one access line per request, the request id on every line, UTC milliseconds,
no query values, and one handler however often the app is built; gunicorn's logger."""

from __future__ import annotations

import io
import json
import logging
import re
from datetime import timedelta
from types import SimpleNamespace

import pytest

from crm_host import logs
from crm_host.security.permissions import public
from crm_host.testing import build_app, prepare_database

TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
PHONE = "13800138000"


@pytest.fixture
def json_app(crm_databases, tmp_path):
    url = crm_databases.create("jsonlogs")
    prepare_database(url, [], {})
    app = build_app(url, tmp_path, LOG_JSON=True, PROPAGATE_EXCEPTIONS=False)

    @public
    def boom():
        logging.getLogger("crm_host.custom").warning("about to fail for %s", "a reason")
        raise RuntimeError("the view broke")

    app.add_url_rule("/boom", "boom", boom)
    yield app
    logs.configure(False)  # leave the loggers as other tests expect them


def _ours() -> list[logging.Handler]:
    return [h for h in logging.getLogger("crm_host").handlers if h.get_name() == "crm-json"]


def _capture() -> io.StringIO:
    (handler,) = _ours()
    stream = io.StringIO()
    handler.setStream(stream)
    return stream


def test_an_erroring_request_writes_one_access_line_and_its_id_on_every_line(json_app):
    stream = _capture()
    answer = json_app.test_client().get(
        f"/boom?q=%2B86{PHONE}&limit=5", headers={"X-Request-Id": "req-err-1"}
    )
    assert answer.status_code == 500 and answer.headers["X-Request-Id"] == "req-err-1"
    output = stream.getvalue()
    lines = [json.loads(line) for line in output.splitlines()]
    assert [line["message"] for line in lines] == [
        "about to fail for a reason",
        "Exception on /boom [GET]",
        "request",
    ]
    assert all(line["request_id"] == "req-err-1" for line in lines)
    assert all(TIME.match(line["time"]) for line in lines)
    assert "RuntimeError: the view broke" in lines[1]["error"]
    access = lines[2]
    assert access["path"] == "/boom?q=…&limit=…" and access["route"] == "/boom"
    assert access["status"] == 500
    assert PHONE not in output


def test_a_generated_id_is_echoed_and_logged(json_app):
    stream = _capture()
    answer = json_app.test_client().get("/healthz")
    (line,) = [json.loads(x) for x in stream.getvalue().splitlines()]
    assert re.fullmatch(r"[0-9a-f]{32}", answer.headers["X-Request-Id"])
    assert line["request_id"] == answer.headers["X-Request-Id"]
    assert line["level"] == "INFO" and line["status"] == 200


def test_building_the_app_again_keeps_one_handler(json_app, crm_databases, tmp_path):
    url = crm_databases.create("jsonlogs2")
    prepare_database(url, [], {})
    build_app(url, tmp_path / "again", LOG_JSON=True)
    build_app(url, tmp_path / "third", LOG_JSON=True)
    assert len(_ours()) == 1
    assert logging.getLogger("crm_host").propagate is False
    stream = _capture()
    json_app.test_client().get("/healthz")
    assert len(stream.getvalue().splitlines()) == 1


def test_utc_timestamp_and_query_scrubbing():
    # 2026-12-07 16:34:13.123 UTC as a POSIX time.
    assert logs.utc_timestamp(1796661253.1239) == "2026-12-07T16:34:13.123Z"
    assert logs.path_without_values("/c", "") == "/c"
    assert logs.path_without_values("/c", "q=%2B86138&q=x&flag") == "/c?q=…&q=…&flag=…"


def _gunicorn_logger(monkeypatch, json_on: bool):
    from gunicorn.config import Config

    from crm_host.web.gunicorn_conf import Logger

    monkeypatch.setenv("CRM_LOG_JSON", "1" if json_on else "0")
    config = Config()
    config.set("accesslog", "-")
    config.set("access_log_format", '%(h)s "%(r)s" %(s)s %(q)s "%(f)s" %({raw_uri}e)s')
    return Logger(config)


def _access(logger, stream):
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/api/v1/customers?q=%2B86{PHONE}",
        "PATH_INFO": "/api/v1/customers",
        "QUERY_STRING": f"q=%2B86{PHONE}",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.1.2.3",
        "HTTP_REFERER": f"https://crm.example/customers?q={PHONE}",
    }
    handler = logger._get_gunicorn_handler(logger.access_log)
    handler.setStream(stream)
    response = SimpleNamespace(status="200 OK", sent=10, headers=[])
    request = SimpleNamespace(headers=[("Referer", environ["HTTP_REFERER"])])
    logger.access(response, request, environ, timedelta(milliseconds=5))


def test_gunicorn_access_lines_have_no_query_values(monkeypatch):
    stream = io.StringIO()
    _access(_gunicorn_logger(monkeypatch, json_on=False), stream)
    assert stream.getvalue() == (
        '10.1.2.3 "GET /api/v1/customers?q=… HTTP/1.1" 200 q=… '
        '"https://crm.example/customers?q=…" /api/v1/customers?q=…\n'
    )


def test_gunicorn_writes_no_access_line_when_the_app_writes_json(monkeypatch):
    stream = io.StringIO()
    _access(_gunicorn_logger(monkeypatch, json_on=True), stream)
    assert stream.getvalue() == ""


def test_gunicorn_control_socket_lives_in_the_instance_folder(tmp_path):
    from crm_host.web.gunicorn_conf import instance_control_socket

    assert instance_control_socket({"CRM_INSTANCE_PATH": str(tmp_path)}) == str(
        tmp_path / "gunicorn.ctl"
    )
    assert instance_control_socket({"CRM_INSTANCE_PATH": "/" + "x" * 120}) is None
