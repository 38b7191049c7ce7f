"""The systemd units in deploy/systemd: well formed, hardened, and running real commands."""

from __future__ import annotations

import configparser
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import DEPLOY, crm_command

UNITS = {
    "crm-web.service": ("serve", {"production": True}),
    "crm-worker.service": ("worker", {"concurrency": 2}),
    "crm-scheduler.service": ("scheduler", {"once": False}),
}
CRM = "/opt/crm/venv/bin/crm"
#: Hardening every unit carries, with its value.
HARDENING = {
    "NoNewPrivileges": "yes",
    "CapabilityBoundingSet": "",
    "ProtectSystem": "strict",
    "ProtectHome": "yes",
    "PrivateTmp": "yes",
    "PrivateDevices": "yes",
    "ProtectKernelTunables": "yes",
    "ProtectKernelModules": "yes",
    "ProtectControlGroups": "yes",
    "RestrictSUIDSGID": "yes",
    "RestrictNamespaces": "yes",
    "LockPersonality": "yes",
    "SystemCallFilter": "@system-service",
}


def read_unit(path: Path) -> configparser.ConfigParser:
    unit = configparser.ConfigParser(strict=True, interpolation=None, delimiters=("=",))
    unit.optionxform = str  # systemd keys are case-sensitive
    unit.read_string(path.read_text())
    return unit


def test_there_is_a_unit_per_process():
    assert sorted(p.name for p in (DEPLOY / "systemd").glob("*.service")) == sorted(UNITS)


@pytest.mark.parametrize("name", sorted(UNITS))
def test_unit_runs_a_real_command_as_a_user_with_the_settings_file(name):
    unit = read_unit(DEPLOY / "systemd" / name)
    assert unit.sections() == ["Unit", "Service", "Install"]
    service = unit["Service"]
    assert unit["Unit"]["Description"].startswith("crm-host ")
    assert "network-online.target" in unit["Unit"]["After"].split()
    assert (service["User"], service["Group"]) == ("crm", "crm")
    assert service["EnvironmentFile"] == "/etc/crm/crm.env"
    assert service["StateDirectory"] == "crm"
    assert service["Restart"] == "on-failure"
    assert unit["Install"]["WantedBy"] == "multi-user.target"
    argv = shlex.split(service["ExecStart"])
    assert argv[0] == CRM
    command, params = crm_command(argv[1:])
    expected_command, expected_params = UNITS[name]
    assert command == expected_command
    assert {k: params[k] for k in expected_params} == expected_params


@pytest.mark.parametrize("name", sorted(UNITS))
def test_unit_is_hardened(name):
    service = read_unit(DEPLOY / "systemd" / name)["Service"]
    assert {key: service.get(key) for key in HARDENING} == HARDENING
    assert service["RestrictAddressFamilies"].split() == ["AF_UNIX", "AF_INET", "AF_INET6"]


def test_the_web_unit_reloads_gunicorn_gracefully():
    service = read_unit(DEPLOY / "systemd" / "crm-web.service")["Service"]
    # `crm serve --production` execs gunicorn in place: $MAINPID is its master.
    assert service["Type"] == "exec"
    assert service["ExecReload"] == "/bin/kill -HUP $MAINPID"


def test_the_instance_folder_is_inside_the_state_directory(example_env):
    # ProtectSystem=strict leaves only the state directory writable.
    assert Path(example_env["CRM_INSTANCE_PATH"]).is_relative_to("/var/lib/crm")


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze here")
def test_systemd_analyze_verifies_the_units(tmp_path):
    # verify checks that ExecStart's program exists: point it at this environment's crm.
    crm = Path(sys.executable).with_name("crm")
    for name in UNITS:
        text = (DEPLOY / "systemd" / name).read_text()
        (tmp_path / name).write_text(text.replace(CRM, str(crm)))
    result = subprocess.run(
        ["systemd-analyze", "verify", *[str(tmp_path / name) for name in sorted(UNITS)]],
        capture_output=True,
        text=True,
        check=False,
    )
    # An unknown or misspelt key is only a warning on stderr: count it as a failure.
    assert (result.returncode, result.stderr) == (0, "")
