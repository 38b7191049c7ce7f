"""Check CI's three JUnit reports: SQLite, PostgreSQL, and the browser tests.

The two database runs leave the browser tests out (``-m "not e2e"``): the PostgreSQL
run must really have run on PostgreSQL and run as many tests as SQLite. The browser
tests run once, on PostgreSQL (``-m e2e``): there must be some, and none may have
been skipped where ``CRM_REQUIRE_BROWSER`` is set.

Usage: ``compare_runs.py sqlite.xml postgresql.xml [e2e.xml]``
"""

from __future__ import annotations

import os
import sys
import xml.etree.ElementTree as ET

#: The ``-m`` expressions CI gives each run (recorded in each report by crm_host.testing).
DATABASE_RUNS, BROWSER_RUN = "not e2e", "e2e"


def summary(path: str) -> dict:
    """Counts, backend and mark expression of one JUnit report."""
    root = ET.parse(path).getroot()
    suite = root if root.tag == "testsuite" else root.find("testsuite")
    props = {p.get("name"): p.get("value") for p in suite.iter("property")}
    return {
        "tests": int(suite.get("tests")),
        "skipped": int(suite.get("skipped")),
        "failures": int(suite.get("failures")) + int(suite.get("errors")),
        "backend": props.get("crm_database_backend"),
        "marks": props.get("crm_mark_expression"),
    }


def database_problems(sqlite: dict, postgresql: dict) -> list[str]:
    """What is wrong with the pair of database runs (browser tests left out of both)."""
    problems = []
    if sqlite["backend"] != "sqlite":
        problems.append("the first run did not use SQLite")
    if postgresql["backend"] != "postgresql":
        problems.append("the PostgreSQL run did not use PostgreSQL")
    for name, run in (("SQLite", sqlite), ("PostgreSQL", postgresql)):
        if run["marks"] != DATABASE_RUNS:
            problems.append(f"the {name} run was not made with -m {DATABASE_RUNS!r}")
    if postgresql["tests"] < sqlite["tests"]:
        problems.append("the PostgreSQL run collected fewer tests")
    if postgresql["skipped"] > sqlite["skipped"]:
        problems.append("the PostgreSQL run skipped tests that ran on SQLite")
    return problems


def browser_problems(e2e: dict, require_browser: bool) -> list[str]:
    """What is wrong with the run of the browser tests."""
    problems = []
    if e2e["backend"] != "postgresql":
        problems.append("the browser tests did not run on PostgreSQL")
    if e2e["marks"] != BROWSER_RUN:
        problems.append(f"the browser run was not made with -m {BROWSER_RUN!r}")
    if e2e["tests"] == 0:
        problems.append("the browser run collected no tests")
    if require_browser and e2e["skipped"] > 0:
        problems.append(f"the browser run skipped {e2e['skipped']} tests")
    if e2e["failures"]:
        problems.append(f"{e2e['failures']} browser tests failed")
    return problems


def main(argv: list[str]) -> None:
    """Print the summaries and exit non-zero, naming every problem, if there is one."""
    sqlite, postgresql = summary(argv[1]), summary(argv[2])
    print(f"sqlite:     {sqlite}")
    print(f"postgresql: {postgresql}")
    problems = database_problems(sqlite, postgresql)
    if len(argv) > 3:
        e2e = summary(argv[3])
        print(f"e2e:        {e2e}")
        problems += browser_problems(e2e, bool(os.environ.get("CRM_REQUIRE_BROWSER")))
    if problems:
        sys.exit("CI: " + "; ".join(problems))


if __name__ == "__main__":
    main(sys.argv)
