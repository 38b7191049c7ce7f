"""``crm bench`` runs, checks its own result, and writes figures with the commit and machine.

No timing is asserted: speed targets live in the benchmark's output, not in tests.
"""

from __future__ import annotations

import json

from click.testing import CliRunner

from crm_host.cli.bench import bench


def test_bench_import_small_writes_json(tmp_path):
    target = tmp_path / "bench.json"
    result = CliRunner().invoke(bench, ["import", "--size", "S", "--json", str(target)])
    assert result.exit_code == 0, result.output
    report = json.loads(target.read_text())
    assert report["size"] == "S" and report["database"] == "sqlite"
    assert report["machine"]["cores"] >= 1 and len(report["commit"]) in (40, 7)
    [figure] = report["figures"]
    assert figure["unit"] == "rows/s" and figure["ours"] > 0 and figure["baseline"] > 0
    assert "10,000 rows" in figure["figure"]


def test_postgresql_bench_needs_a_server(monkeypatch):
    monkeypatch.delenv("CRM_BENCH_DATABASE_URL", raising=False)
    monkeypatch.delenv("CRM_TEST_DATABASE_URL", raising=False)
    result = CliRunner().invoke(bench, ["import", "--database", "postgresql"])
    assert result.exit_code != 0 and "needs CRM_BENCH_DATABASE_URL" in result.output
