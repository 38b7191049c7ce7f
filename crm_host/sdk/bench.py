"""What a plugin's ``crm bench`` figures use: figure records, timers, baselines, the
sizes and the databases a benchmark runs against.

Part of the SDK's stability promise (see :mod:`crm_host.sdk`): a name in ``__all__``
changes only by deprecation.
"""

from __future__ import annotations

from crm_host.bench import (
    BENCH_EXTRA,
    SIZES,
    Databases,
    Figure,
    app_for,
    baseline_library,
    bulk_insert,
    not_installed,
    timer,
)

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
