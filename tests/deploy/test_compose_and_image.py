"""compose.yaml, the Dockerfile and the nginx example agree with each other and with the app."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess

import pytest
import yaml
from flask import Flask
from sqlalchemy.engine import make_url

from crm_host.config import load_config
from crm_host.production import GunicornOptions

from .conftest import DEPLOY, ROOT, crm_command

APP_SERVICES = {"web": "serve", "worker": "worker", "scheduler": "scheduler"}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def dockerfile() -> list[tuple[str, str]]:
    """(instruction, arguments) of each Dockerfile instruction, continuation lines joined."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    lines = [line.strip() for line in text.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1])
        for line in lines
        if line and not line.startswith("#")
    ]


def docker_env() -> dict[str, str]:
    env = {}
    for instruction, args in dockerfile():
        if instruction == "ENV":
            env.update(dict(item.split("=", 1) for item in shlex.split(args)))
    return env


def test_compose_runs_postgresql_redis_and_the_three_processes(compose):
    services = compose["services"]
    assert set(services) == {"db", "redis", "init", *APP_SERVICES}
    assert services["db"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    for name, command in {"init": "init", **APP_SERVICES}.items():
        service = services[name]
        assert (service["image"], service["build"]) == ("crm-host:latest", ".")
        assert crm_command(service["command"])[0] == command


def test_every_long_running_service_has_a_healthcheck(compose):
    for name, service in compose["services"].items():
        if name == "init":
            assert service["restart"] == "no"
            continue
        check = service["healthcheck"]
        assert check["test"][0] == "CMD", name
        assert check["retries"] >= 3, name
    assert "/readyz" in " ".join(compose["services"]["web"]["healthcheck"]["test"])


def test_the_processes_wait_for_the_database_the_broker_and_the_migration(compose):
    for name in APP_SERVICES:
        assert compose["services"][name]["depends_on"] == {
            "db": {"condition": "service_healthy"},
            "redis": {"condition": "service_healthy"},
            "init": {"condition": "service_completed_successfully"},
        }
    assert compose["services"]["init"]["depends_on"] == {"db": {"condition": "service_healthy"}}


def test_the_processes_share_settings_and_the_instance_volume(compose):
    instance = docker_env()["CRM_INSTANCE_PATH"]
    for name in ("init", *APP_SERVICES):
        service = compose["services"][name]
        environment = service["environment"]
        database = make_url(environment["CRM_DATABASE_URL"])
        assert (database.drivername, database.host, database.database) == (
            "postgresql+psycopg",
            "db",
            compose["services"]["db"]["environment"]["POSTGRES_DB"],
        )
        assert environment["CRM_BROKER_URL"] == "redis://redis:6379/0"
        assert environment["CRM_WORKER_THREAD"] == "false"
        assert {"CRM_SECRET_KEY", "CRM_FIELD_KEYS"} <= set(environment)
        assert service["volumes"] == [f"instance:{instance}"]
    assert "instance" in compose["volumes"]
    web = compose["services"]["web"]
    assert web["environment"]["CRM_GUNICORN_BIND"] == "0.0.0.0:8000"
    assert web["ports"] == ["${CRM_PORT:-8000}:8000"]


def test_the_image_runs_as_a_user_the_demo_by_default(compose):
    steps = dockerfile()
    assert steps[0] == ("FROM", "python:3.11-slim")
    users = [args for instruction, args in steps if instruction == "USER"]
    assert users == ["crm"]
    entrypoint = [json.loads(a) for i, a in steps if i == "ENTRYPOINT"]
    cmd = [json.loads(a) for i, a in steps if i == "CMD"]
    assert entrypoint == [["crm"]]
    assert crm_command(cmd[0])[0] == "demo"
    assert crm_command(cmd[0])[1]["bind_host"] == "0.0.0.0"
    volumes = [json.loads(a) for i, a in steps if i == "VOLUME"]
    assert volumes == [[docker_env()["CRM_INSTANCE_PATH"]]]
    installs = [a for i, a in steps if i == "RUN" and "pip install" in a]
    assert len(installs) == 1 and '"/tmp/src[celery]"' in installs[0]


def test_nginx_forwards_the_client_and_outwaits_gunicorn(example_env):
    conf = (DEPLOY / "nginx" / "crm.conf").read_text()
    headers = dict(re.findall(r"proxy_set_header\s+(\S+)\s+(.+?);", conf))
    assert headers["X-Forwarded-For"] == "$proxy_add_x_forwarded_for"
    assert headers["X-Forwarded-Proto"] == "$scheme"
    assert headers["X-Forwarded-Host"] == "$host"
    assert headers["Host"] == "$host"
    (upstream,) = re.findall(r"upstream crm_web \{\s*server (\S+);", conf)
    assert upstream == example_env["CRM_GUNICORN_BIND"]
    (read_timeout,) = re.findall(r"proxy_read_timeout (\d+)s;", conf)
    options = GunicornOptions.from_config(example_env_settings(example_env))
    assert int(read_timeout) > options.timeout


def test_nginx_lets_through_the_largest_body_the_app_takes():
    limits = pytest.importorskip("crm_host.web._limits")
    conf = (DEPLOY / "nginx" / "crm.conf").read_text()
    app = Flask("t", instance_path="/nonexistent")
    app.config["SECRET_KEY"] = "x"  # keeps load_config from writing a key file
    load_config(app)
    (size,) = re.findall(r"client_max_body_size\s+(\d+)k;", conf)
    assert int(size) * 1024 == limits.largest_limit(app) == 100 * 1024 * 1024 + 64 * 1024


def example_env_settings(env: dict[str, str]) -> dict:
    """The example env file as the app's config sees it (Flask parses values as JSON)."""
    app = Flask("t", instance_path="/nonexistent")
    app.config.update({"SECRET_KEY": "x", **{k[4:]: _json(v) for k, v in env.items()}})
    return app.config


def _json(value: str):
    try:
        return json.loads(value)
    except ValueError:
        return value


def test_the_example_settings_are_complete_and_usable(example_env):
    assert {
        "CRM_DATABASE_URL",
        "CRM_SECRET_KEY",
        "CRM_FIELD_KEYS",
        "CRM_BROKER_URL",
        "CRM_INSTANCE_PATH",
    } <= set(example_env)
    options = GunicornOptions.from_config(example_env_settings(example_env))
    assert (options.bind, options.workers, options.forwarded_allow_ips) == (
        "127.0.0.1:8000",
        4,
        "127.0.0.1,::1",
    )


def _docker_compose() -> bool:
    if shutil.which("docker") is None:
        return False
    probe = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
    return probe.returncode == 0


@pytest.mark.skipif(not _docker_compose(), reason="no docker compose here")
def test_docker_compose_accepts_the_file(tmp_path):
    env = {"CRM_SECRET_KEY": "s", "CRM_FIELD_KEYS": "k:v", "CRM_ADMIN_PASSWORD": "p", "PATH": ""}
    import os

    env["PATH"] = os.environ["PATH"]
    result = subprocess.run(
        ["docker", "compose", "--file", str(ROOT / "compose.yaml"), "config", "--quiet"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
