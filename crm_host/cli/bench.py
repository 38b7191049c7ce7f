"""``crm bench``: measure the main jobs against a baseline measured in the same run."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import click

from crm_host.bench import machine
from crm_host.bench._runs import all_benchmarks, run
from crm_host.bench.figures import SIZES
from crm_host.plugins.manifest import PluginError


def _number(value: float) -> str:
    """Whole numbers with separators; small ones with three significant digits."""
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


@click.command("bench")
@click.argument("names", nargs=-1)
@click.option(
    "--size",
    type=click.Choice(sorted(SIZES)),
    default="S",
    show_default=True,
    help="S: 10k rows, M: 100k, L: 1M.",
)
@click.option(
    "--database",
    "backend",
    type=click.Choice(["sqlite", "postgresql"]),
    default="sqlite",
    show_default=True,
)
@click.option(
    "--json",
    "json_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the results, the commit and the machine to this file.",
)
@click.option("--list", "list_only", is_flag=True, help="List the benchmarks and exit.")
def bench(
    names: tuple[str, ...], size: str, backend: str, json_path: Path | None, list_only: bool
) -> None:
    """Run benchmarks NAMES (all by default) on fresh databases; print figure / ours / baseline / ratio.

    The host's benchmarks and every present plugin's run alike (``crm bench --list``).
    PostgreSQL runs need a server: CRM_BENCH_DATABASE_URL (or CRM_TEST_DATABASE_URL).
    """
    try:
        registry = all_benchmarks()
    except PluginError as error:
        raise click.ClickException(str(error)) from error
    if list_only:
        for benchmark in registry.benchmarks.values():
            source = f"plugin {benchmark.plugin}" if benchmark.plugin else "host"
            click.echo(f"{benchmark.name:<28} {source:<26} {benchmark.description}")
        return
    unknown = [n for n in names if registry.get(n) is None]
    if unknown:
        raise click.UsageError(
            f"no benchmark named {', '.join(unknown)}; the benchmarks are: "
            + ", ".join(registry.names())
        )
    server = os.environ.get("CRM_BENCH_DATABASE_URL") or os.environ.get("CRM_TEST_DATABASE_URL")
    try:
        figures = run(list(names) or registry.names(), size, backend, server, registry)
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"{'figure':<58} {'ours':>12} {'baseline':>12} {'ratio':>7}  unit / baseline")
    for f in figures:
        baseline = _number(f.baseline) if f.baseline else "-"
        ratio = f"{f.ratio:>7.2f}" if f.baseline else f"{'-':>7}"
        click.echo(
            f"{f.figure:<58} {_number(f.ours):>12} {baseline:>12} {ratio}  "
            f"{f.unit} / {f.baseline_name}"
        )
    if json_path:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(
            json.dumps(
                {
                    "commit": machine.commit_hash(),
                    "at": datetime.now(UTC).isoformat(),
                    "size": size,
                    "database": backend,
                    "machine": machine.describe(),
                    "figures": [f.as_dict() for f in figures],
                },
                indent=2,
                ensure_ascii=False,
            )
        )
        click.echo(f"Wrote {json_path}")
