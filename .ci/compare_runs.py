"""Fail unless the PostgreSQL run really ran on PostgreSQL and ran as many tests as SQLite."""

import sys
import xml.etree.ElementTree as ET


def summary(path: str) -> dict:
    root = ET.parse(path).getroot()
    suite = root if root.tag == "testsuite" else root.find("testsuite")
    props = {p.get("name"): p.get("value") for p in suite.iter("property")}
    return {
        "tests": int(suite.get("tests")),
        "skipped": int(suite.get("skipped")),
        "failures": int(suite.get("failures")) + int(suite.get("errors")),
        "backend": props.get("crm_database_backend"),
    }


sqlite, postgresql = summary(sys.argv[1]), summary(sys.argv[2])
print(f"sqlite:     {sqlite}")
print(f"postgresql: {postgresql}")
problems = []
if sqlite["backend"] != "sqlite":
    problems.append("the first run did not use SQLite")
if postgresql["backend"] != "postgresql":
    problems.append("the PostgreSQL run did not use PostgreSQL")
if postgresql["tests"] < sqlite["tests"]:
    problems.append("the PostgreSQL run collected fewer tests")
if postgresql["skipped"] > sqlite["skipped"]:
    problems.append("the PostgreSQL run skipped tests that ran on SQLite")
if problems:
    sys.exit("CI: " + "; ".join(problems))
