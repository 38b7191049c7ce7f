"""``crm serve --production``: the gunicorn command line built from settings and flags."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from flask import Flask

from crm_host.config import load_config
from crm_host.production import GunicornOptions, describe, gunicorn_argv
from crm_host.runtime.settings import SettingsError
from crm_host.testing.servers import free_port

NEW = (27, 0, 1)
OLD = (24, 1)


def test_defaults_give_a_per_instance_control_socket(tmp_path):
    argv = gunicorn_argv(GunicornOptions(), tmp_path, version=NEW)
    assert argv == [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        "python:crm_host.web.gunicorn_conf",
        "--bind",
        "127.0.0.1:5000",
        "--workers",
        "2",
        "--threads",
        "4",
        "--timeout",
        "60",
        "--graceful-timeout",
        "30",
        "--access-logfile",
        "-",
        "--control-socket",
        str(tmp_path / "gunicorn.ctl"),
        "crm_host.wsgi:app",
    ]


def test_settings_reach_the_command_line(tmp_path):
    config = {
        "GUNICORN_BIND": "0.0.0.0:8000",
        "GUNICORN_WORKERS": 5,
        "GUNICORN_THREADS": 8,
        "GUNICORN_TIMEOUT": 120,
        "GUNICORN_GRACEFUL_TIMEOUT": 45,
        "GUNICORN_FORWARDED_ALLOW_IPS": "10.0.0.2,10.0.0.3",
        "GUNICORN_CONTROL_SOCKET": "/run/crm/web.ctl",
    }
    argv = gunicorn_argv(GunicornOptions.from_config(config), tmp_path, version=NEW)
    assert argv[5:] == [
        "--bind",
        "0.0.0.0:8000",
        "--workers",
        "5",
        "--threads",
        "8",
        "--timeout",
        "120",
        "--graceful-timeout",
        "45",
        "--access-logfile",
        "-",
        "--forwarded-allow-ips",
        "10.0.0.2,10.0.0.3",
        "--control-socket",
        "/run/crm/web.ctl",
        "crm_host.wsgi:app",
    ]


def test_flags_win_over_settings_and_none_leaves_the_setting():
    config = {"GUNICORN_WORKERS": 5, "GUNICORN_THREADS": 8}
    options = GunicornOptions.from_config(config, workers=3, threads=None, bind="unix:/run/x")
    assert (options.workers, options.threads, options.bind) == (3, 8, "unix:/run/x")


def test_the_apps_trusted_proxies_are_gunicorns_unless_it_has_its_own():
    assert GunicornOptions.from_config({"TRUSTED_PROXIES": "10.0.0.0/8"}).forwarded_allow_ips == (
        "10.0.0.0/8"
    )
    both = {"TRUSTED_PROXIES": "10.0.0.0/8", "GUNICORN_FORWARDED_ALLOW_IPS": "10.1.1.1"}
    assert GunicornOptions.from_config(both).forwarded_allow_ips == "10.1.1.1"
    flag = GunicornOptions.from_config(both, forwarded_allow_ips="10.2.2.2")
    assert flag.forwarded_allow_ips == "10.2.2.2"
    listed = GunicornOptions.from_config({"TRUSTED_PROXIES": ["10.0.0.1", "10.0.0.2"]})
    assert listed.forwarded_allow_ips == "10.0.0.1,10.0.0.2"
    nobody = GunicornOptions.from_config({"GUNICORN_FORWARDED_ALLOW_IPS": ""})
    assert gunicorn_argv(nobody, "/srv", version=NEW)[17:19] == ["--forwarded-allow-ips", ""]
    assert "forwarded headers trusted from nowhere" in describe(nobody, "/srv")


def test_environment_values_arrive_as_settings(monkeypatch, tmp_path):
    # Flask parses CRM_* values as JSON where it can: numbers become ints, an address
    # list and "*" stay strings, "false" becomes False.
    monkeypatch.setenv("CRM_GUNICORN_WORKERS", "7")
    monkeypatch.setenv("CRM_GUNICORN_FORWARDED_ALLOW_IPS", "*")
    monkeypatch.setenv("CRM_GUNICORN_CONTROL_SOCKET", "false")
    app = Flask("t", instance_path=str(tmp_path))
    load_config(app)
    options = GunicornOptions.from_config(app.config)
    assert (options.workers, options.forwarded_allow_ips) == (7, "*")
    argv = gunicorn_argv(options, tmp_path, version=NEW)
    assert "--no-control-socket" in argv
    assert "--control-socket" not in argv


@pytest.mark.parametrize("value", ["off", "false", False, "none"])
def test_the_control_socket_can_be_switched_off(value, tmp_path):
    options = GunicornOptions.from_config({"GUNICORN_CONTROL_SOCKET": value})
    assert gunicorn_argv(options, tmp_path, version=NEW)[-2:] == [
        "--no-control-socket",
        "crm_host.wsgi:app",
    ]


def test_an_instance_path_too_long_for_a_socket_gets_none(tmp_path):
    deep = tmp_path / ("x" * 120)
    assert gunicorn_argv(GunicornOptions(), deep, version=NEW)[-2] == "--no-control-socket"


def test_gunicorn_without_a_control_socket_gets_no_option_about_one(tmp_path):
    argv = gunicorn_argv(GunicornOptions(control_socket="off"), tmp_path, version=OLD)
    assert not [a for a in argv if "control-socket" in a]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("many", "CRM_GUNICORN_WORKERS must be a whole number, not 'many'"),
        (0, "CRM_GUNICORN_WORKERS must be a whole number above zero, not 0"),
        (2.5, "CRM_GUNICORN_WORKERS must be a whole number above zero, not 2.5"),
        (True, "CRM_GUNICORN_WORKERS must be a whole number above zero, not True"),
    ],
)
def test_a_bad_setting_is_named(value, message):
    with pytest.raises(SettingsError) as caught:
        GunicornOptions.from_config({"GUNICORN_WORKERS": value})
    assert str(caught.value) == message


def test_describe_says_what_will_run(tmp_path):
    options = GunicornOptions(workers=3, forwarded_allow_ips="10.0.0.2")
    assert describe(options, tmp_path) == (
        "gunicorn on 127.0.0.1:5000: 3 worker(s) × 4 thread(s), timeout 60 s, "
        f"forwarded headers trusted from 10.0.0.2, control socket {tmp_path / 'gunicorn.ctl'}"
    )


@pytest.fixture
def executed(monkeypatch):
    """What ``crm serve --production`` would exec, instead of exec'ing it."""
    calls: list[list[str]] = []
    monkeypatch.setattr(os, "execv", lambda path, argv: calls.append(argv))
    return calls


def test_the_command_takes_flags_then_settings(cli, app, executed, monkeypatch):
    monkeypatch.setitem(app.config, "GUNICORN_THREADS", 6)
    monkeypatch.setitem(app.config, "GUNICORN_WORKERS", 9)
    result = cli("serve", "--production", "--host", "0.0.0.0", "--port", "8000", "--workers", "3")
    assert result.exit_code == 0, result.output
    (argv,) = executed
    options = dict(zip(argv[5:-3:2], argv[6:-3:2], strict=True))
    assert options["--bind"] == "0.0.0.0:8000"
    assert (options["--workers"], options["--threads"]) == ("3", "6")
    assert result.output.startswith("gunicorn on 0.0.0.0:8000: 3 worker(s) × 6 thread(s)")


def test_the_command_names_a_bad_setting_in_one_line(cli, app, executed, monkeypatch):
    monkeypatch.setitem(app.config, "GUNICORN_TIMEOUT", "soon")
    result = cli("serve", "--production", "--no-control-socket")
    assert result.exit_code == 1
    assert result.output == "Error: CRM_GUNICORN_TIMEOUT must be a whole number, not 'soon'\n"
    assert executed == []


def test_serve_production_answers_healthz(committed_app, committed_db, tmp_path):
    """The real thing: `crm serve --production` with one worker on a loopback port."""
    port = free_port()
    crm = Path(sys.executable).with_name("crm")
    env = {
        **os.environ,
        "CRM_DATABASE_URL": committed_db.url.render_as_string(hide_password=False),
        "CRM_INSTANCE_PATH": str(tmp_path),
        "CRM_SECRET_KEY": "test-server",
        "CRM_WORKER_THREAD": "false",
        "CRM_GUNICORN_THREADS": "2",
    }
    server = subprocess.Popen(
        [str(crm), "serve", "--production", "--workers", "1", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        status = None
        deadline = time.monotonic() + 60
        while status != 200 and time.monotonic() < deadline and server.poll() is None:
            try:
                status = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code
            except requests.RequestException:
                time.sleep(0.2)
        assert status == 200
        # This instance's own control socket, in its instance folder.
        assert (tmp_path / "gunicorn.ctl").is_socket()
    finally:
        server.send_signal(signal.SIGTERM)
        output = server.communicate(timeout=30)[0].decode()
    assert output.splitlines()[0] == (
        f"gunicorn on 127.0.0.1:{port}: 1 worker(s) × 2 thread(s), timeout 60 s, "
        f"forwarded headers trusted from 127.0.0.1,::1, control socket {tmp_path / 'gunicorn.ctl'}"
    )
    assert "Booting worker" in output
    assert server.returncode == 0
