"""``crm bench`` runs, checks its own result, and writes figures with the commit and machine.

No timing is asserted: speed targets live in the benchmark's output, not in tests.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from crm_host.bench._runs import register_host_benchmarks, run
from crm_host.bench.facade import Figure, baseline_library, not_installed
from crm_host.bench.registry import BenchmarkRegistry, collect_benchmarks
from crm_host.cli.bench import bench
from crm_host.plugins.facade import hookimpl
from crm_host.plugins.manifest import PluginError


def test_bench_import_small_writes_json(tmp_path):
    target = tmp_path / "bench.json"
    result = CliRunner().invoke(bench, ["import", "--size", "S", "--json", str(target)])
    assert result.exit_code == 0, result.output
    report = json.loads(target.read_text())
    assert report["size"] == "S" and report["database"] == "sqlite"
    assert report["machine"]["cores"] >= 1 and len(report["commit"]) in (40, 7)
    figure, phones = report["figures"]
    assert figure["unit"] == "rows/s" and figure["ours"] > 0 and figure["baseline"] > 0
    assert "10,000 rows" in figure["figure"]
    # Phone normalisation is reported on its own line.
    assert phones["unit"] == "numbers/s" and phones["ours"] > 0 and phones["baseline"] > 0
    assert "E.164 (10,000" in phones["figure"]


def test_postgresql_bench_needs_a_server(monkeypatch):
    monkeypatch.delenv("CRM_BENCH_DATABASE_URL", raising=False)
    monkeypatch.delenv("CRM_TEST_DATABASE_URL", raising=False)
    result = CliRunner().invoke(bench, ["import", "--database", "postgresql"])
    assert result.exit_code != 0 and "needs CRM_BENCH_DATABASE_URL" in result.output


class _BenchPlugin:
    """A plugin that registers one benchmark, as a third-party plugin would."""

    @staticmethod
    @hookimpl
    def crm_register_benchmarks(registry):
        def constant(size, databases, workdir):
            return [Figure("fxbench.constant", "a figure", "x/s", 2.0, 4.0, "twice as fast")]

        registry.add("constant", constant, description="a fixed figure")


def _manager_with(namespace, name="fx_bench", slug="fxbench"):
    from crm_host.plugins.facade import Manifest
    from crm_host.plugins.manager import Plugin, PluginManager

    manager = PluginManager()
    manager.pm.register(namespace, name=name)
    manifest = Manifest(name=name, slug=slug, label="Bench", version="1.0")
    manager.plugins[name] = Plugin(manifest, loaded=True)
    return manager


@pytest.mark.hookspec("crm_register_benchmarks")
def test_a_plugin_benchmark_is_registered_under_its_slug_and_runs(tmp_path):
    registry = collect_benchmarks(_manager_with(_BenchPlugin), register_host_benchmarks)
    assert registry.names()[:3] == ["import", "api", "hooks"]
    benchmark = registry.get("fxbench.constant")
    assert benchmark is not None and benchmark.plugin == "fx_bench"
    [figure] = run(["fxbench.constant"], "S", "sqlite", None, registry)
    assert figure.ratio == 0.5 and figure.as_dict()["ratio"] == 0.5


@pytest.mark.hookspec("crm_register_benchmarks")
def test_a_duplicate_or_malformed_benchmark_name_names_the_plugin():
    registry = BenchmarkRegistry()
    registry._plugin, registry._slug = "fx_bench", "fxbench"
    registry.add("one", lambda *a: [])
    with pytest.raises(PluginError, match="plugin fx_bench: a benchmark named fxbench.one"):
        registry.add("one", lambda *a: [])
    with pytest.raises(PluginError, match="plugin fx_bench: benchmark name 'Bad-Name'"):
        registry.add("Bad-Name", lambda *a: [])


def test_list_shows_the_host_benchmarks_first():
    result = CliRunner().invoke(bench, ["--list"])
    assert result.exit_code == 0, result.output
    names = [line.split()[0] for line in result.output.splitlines()]
    assert names[:3] == ["import", "api", "hooks"]


def test_an_unknown_benchmark_is_refused_with_the_known_names():
    result = CliRunner().invoke(bench, ["nosuch"])
    assert result.exit_code == 2 and "no benchmark named nosuch" in result.output
    assert "import, api, hooks" in result.output


def test_a_missing_baseline_library_is_reported_not_raised():
    assert baseline_library("crm_no_such_baseline_library") is None
    figure = Figure("x", "y", "rows/s", 10.0, 0.0, not_installed("duckdb"))
    assert figure.ratio == 0.0 and "baseline not installed (duckdb" in figure.baseline_name


def test_latency_percentiles_are_nearest_rank():
    from crm_host.bench.load import percentile

    values = [n / 1000 for n in range(100, 0, -1)]  # 1 ms … 100 ms, unordered
    assert percentile(values, 0.5) == 0.050 and percentile(values, 0.99) == 0.099
    assert percentile(values, 1.0) == 0.100 and percentile([0.007], 0.99) == 0.007
    assert percentile([], 0.99) == 0.0


def test_the_bare_app_answers_what_the_api_answers(tmp_path):
    from crm_host.bench._runs import Databases, app_for
    from crm_host.bench.api import prepare, start_cursors
    from crm_host.bench.bare_api import create_app as bare_app
    from crm_host.testing.databases import server_url

    server = server_url()
    dbs = Databases("postgresql" if server else "sqlite", str(server) if server else None, tmp_path)
    try:
        url = dbs.prepared("api", [])
        secret = prepare(dbs, url, tmp_path, 120)
        starts = start_cursors(url, 4)
        # 120 customers in 4 walks: the first page, then every 30th customer in name order.
        assert len(starts) == 4 and starts[0] is None and len(set(starts)) == 4
        ours = app_for(url, tmp_path, "api").test_client()
        bare = bare_app(url.render_as_string(hide_password=False)).test_client()
        engines = [
            ours.application.extensions["crm"].db,
            bare.application.extensions["bare_engine"],
        ]
        headers = {"Authorization": f"Bearer {secret}"}
        for cursor in starts:
            query = {"limit": 50, **({"cursor": cursor} if cursor else {})}
            page = ours.get("/api/v1/customers", query_string=query, headers=headers)
            assert page.status_code == 200, page.text
            assert page.json == bare.get("/api/v1/customers", query_string=query).json
            assert len(page.json["items"]) == 50 or page.json["next_cursor"] is None
            first = page.json["items"][0]["id"]
            detail = ours.get(f"/api/v1/customers/{first}", headers=headers)
            assert detail.json == bare.get(f"/api/v1/customers/{first}").json
        # What prepare() put in: tags on ids 1 and 3 modulo 4, Sales on multiples of 3.
        detail = ours.get("/api/v1/customers/3", headers=headers).json
        assert detail["tags"] == ["new"] and detail["departments"] == ["sales"]
        assert detail["phone"] == "+8613900000002" and detail["contacts"] == []
        for engine in engines:
            engine.dispose()
    finally:
        dbs.close()


def test_bench_api_drives_both_servers_and_compares_their_answers(monkeypatch):
    from crm_host.bench import api
    from crm_host.testing.databases import server_url

    pytest.importorskip("aiohttp")
    monkeypatch.setattr(api, "SIZES", {"S": 400})
    monkeypatch.setattr(api, "STEPS", {"S": 2})
    server = server_url()
    registry = collect_benchmarks(_manager_with(_BenchPlugin), register_host_benchmarks)
    backend = "postgresql" if server else "sqlite"
    throughput, p99, p50 = run(["api"], "S", backend, str(server) if server else None, registry)
    assert throughput.unit == "req/s" and throughput.ours > 0 and throughput.baseline > 0
    assert "32 connections, 400 customers" in throughput.figure
    assert p99.unit == "ms" and p99.baseline == 100.0 and not p99.higher_is_better
    assert p50.ours > 0 and p50.baseline > 0


def test_bench_search_small_measures_global_search_against_a_plain_like(tmp_path):
    """The run itself fails when global search and the LIKE query count different customers."""
    target = tmp_path / "bench.json"
    result = CliRunner().invoke(bench, ["search", "--size", "S", "--json", str(target)])
    assert result.exit_code == 0, result.output
    [figure] = json.loads(target.read_text())["figures"]
    assert figure["benchmark"] == "search" and figure["unit"] == "ms/query"
    assert figure["ours"] > 0 and figure["baseline"] > 0 and not figure["higher_is_better"]
    assert "2,000 customers" in figure["figure"]
