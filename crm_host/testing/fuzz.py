"""Schemathesis over an application's OpenAPI document: no input may get a 5xx.

Driven through Hypothesis directly, one operation after another, so that every
failing operation is reported at once rather than the first. Bounded by
``CRM_FUZZ_EXAMPLES`` examples per operation (25 by default; CI runs more).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask

DEFAULT_EXAMPLES = 25


def examples() -> int:
    """Examples per operation: ``CRM_FUZZ_EXAMPLES`` or the default."""
    return int(os.environ.get("CRM_FUZZ_EXAMPLES", DEFAULT_EXAMPLES))


def fuzz_api(
    app: Flask,
    headers: dict[str, str],
    *,
    include: Callable[[str], bool] = lambda path: True,
    max_examples: int | None = None,
) -> tuple[int, dict[str, str]]:
    """Call every operation whose path ``include`` accepts with generated input.

    Returns how many operations ran and the failures by operation label (a server
    error, with the failing case Hypothesis shrank it to).
    """
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from schemathesis.checks import not_a_server_error

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures: dict[str, str] = {}
    operations = [r.ok() for r in schema.get_all_operations() if include(r.ok().path)]
    for operation in operations:

        @settings(
            max_examples=max_examples or examples(),
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        @given(case=operation.as_strategy())
        def run(case: Any) -> None:
            response = case.call(headers=headers)
            case.validate_response(response, checks=[not_a_server_error])

        try:
            run()
        except Exception as error:  # collected: every failing operation is reported
            failures[operation.label] = str(error)[:2000]
    return len(operations), failures


def under(*prefixes: str) -> Callable[[str], bool]:
    """An ``include`` for paths under any of ``prefixes`` (``/api/v1/sales/``)."""
    return lambda path: path.startswith(tuple(prefixes))


def outside(prefixes: Iterable[str]) -> Callable[[str], bool]:
    """An ``include`` for paths under none of ``prefixes``."""
    excluded = tuple(prefixes)
    return lambda path: not path.startswith(excluded)
