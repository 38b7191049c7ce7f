"""Every ``crm`` command docs/deploy.md tells an admin to type exists, with those options."""

from __future__ import annotations

import re
import shlex

import pytest

from .conftest import ROOT, crm_command

DOC = ROOT / "docs" / "deploy.md"
#: How the page starts a crm command: directly, by path, or in a compose container.
PREFIXES = ("crm ", "/opt/crm/venv/bin/crm ", "docker compose run --rm web ")


def doc_commands() -> list[list[str]]:
    """The crm command lines in the page's shell blocks, as argument lists."""
    blocks = re.findall(r"```sh\n(.*?)```", DOC.read_text(), flags=re.S)
    commands = []
    for block in blocks:
        for line in block.replace("\\\n", " ").splitlines():
            line = line.strip()
            for prefix in PREFIXES:
                if line.startswith(prefix):
                    # $(date +%F) and the like: one word, whatever the shell makes of it.
                    words = re.sub(r"\$\([^)]*\)", "X", line[len(prefix) :])
                    commands.append(shlex.split(words, comments=True))
    return commands


def test_the_page_walks_every_step():
    walked = {crm_command(args)[0] for args in doc_commands() if args[0] != "restore"}
    assert {
        "init",
        "plugins install",
        "plugins enable",
        "departments create",
        "db check",
        "db upgrade",
        "serve",
        "worker",
        "scheduler",
        "backup",
    } <= walked
    assert ["restore", "/var/backups/crm/crm-2026-12-07.zip"] in doc_commands()


@pytest.mark.parametrize("args", doc_commands(), ids=" ".join)
def test_each_command_parses(args, tmp_path):
    # A file the command reads must exist: the page's example names one that does not here.
    if args[0] == "restore":
        (tmp_path / "crm.zip").touch()
        args = ["restore", str(tmp_path / "crm.zip")]
    name, _params = crm_command(args)
    assert name.split()[-1] in args
