"""``crm bench``: the main jobs measured against a baseline run in the same process.

Each figure is a ratio against something a user could pick instead, measured in the
same run, because shared machines are noisy and absolute times drift. Plugins add
their benchmarks through ``crm_register_benchmarks(registry)``; what a benchmark
needs is importable from here.
"""

from crm_host.bench._runs import Databases, app_for
from crm_host.bench.figures import (
    BENCH_EXTRA,
    SIZES,
    Figure,
    baseline_library,
    not_installed,
    timer,
)
from crm_host.bench.loading import bulk_insert

__all__ = [
    "BENCH_EXTRA",
    "SIZES",
    "Databases",
    "Figure",
    "app_for",
    "baseline_library",
    "bulk_insert",
    "not_installed",
    "timer",
]
