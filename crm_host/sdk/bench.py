"""What a plugin's ``crm bench`` figures use: figure records, timers, baselines, the
sizes and the databases a benchmark runs against.

Part of the SDK's stability promise (see :mod:`crm_host.sdk`): a name in ``__all__``
changes only by deprecation.
"""

from __future__ import annotations

from crm_host.bench.facade import (
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
    # Sizes and the extra a benchmark needs
    "BENCH_EXTRA",
    "SIZES",
    # Figures, timers and baselines
    "Figure",
    "baseline_library",
    "not_installed",
    "timer",
    # Databases, data and applications to measure
    "Databases",
    "app_for",
    "bulk_insert",
]
