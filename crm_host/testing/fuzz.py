"""Schemathesis over an application's OpenAPI document: no input may get a 5xx.

Driven through Hypothesis directly, one operation after another, so that every
failing operation is reported at once rather than the first. Bounded by
``CRM_FUZZ_EXAMPLES`` examples per operation (25 by default; CI runs more) and,
when ``CRM_FUZZ_SECONDS`` is set, by a wall-time budget shared fairly among the
operations. Derandomised: the same build sends the same requests. :func:`fuzz_links`
then follows the document's links (create → get → patch, a list's next page) as
Hypothesis state machines.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask

DEFAULT_EXAMPLES = 25
#: Request headers, or a function giving them afresh: a fuzzer that may sign out,
#: revoke tokens or deactivate users can be handed working credentials again.
Headers = dict[str, str] | Callable[[], dict[str, str]]


def examples() -> int:
    """Examples per operation: ``CRM_FUZZ_EXAMPLES`` or the default."""
    return int(os.environ.get("CRM_FUZZ_EXAMPLES", DEFAULT_EXAMPLES))


def budget() -> float | None:
    """The wall-time budget of a whole run in seconds (``CRM_FUZZ_SECONDS``), if any."""
    value = os.environ.get("CRM_FUZZ_SECONDS")
    return float(value) if value else None


def _settings(max_examples: int, **extra: Any) -> Any:
    from hypothesis import HealthCheck, settings

    return settings(
        max_examples=max_examples,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
        **extra,
    )


def fuzz_api(
    app: Flask,
    headers: Headers,
    *,
    include: Callable[[str], bool] = lambda path: True,
    max_examples: int | None = None,
    seconds: float | None = None,
    statuses: dict[str, Counter[int]] | None = None,
) -> tuple[int, dict[str, str]]:
    """Call every operation whose path ``include`` accepts with generated input.

    ``headers`` may be a function: it is called before each operation. With
    ``seconds`` (default :func:`budget`), each operation may take its fair share
    of what is left; examples past its share are generated but not sent. When given,
    ``statuses`` is filled with the status codes each operation answered.
    Returns how many operations ran and the failures by operation label (a server
    error, with the failing case Hypothesis shrank it to).
    """
    import schemathesis

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures: dict[str, str] = {}
    operations = [r.ok() for r in schema.get_all_operations() if include(r.ok().path)]
    seconds = seconds if seconds is not None else budget()
    end = time.monotonic() + seconds if seconds else None
    for index, operation in enumerate(operations):
        seen = statuses.setdefault(operation.label, Counter()) if statuses is not None else None
        share = None if end is None else (end - time.monotonic()) / (len(operations) - index)
        until = None if share is None else time.monotonic() + max(share, 0.0)
        try:
            _fuzz_operation(operation, _headers(headers), max_examples or examples(), until, seen)
        except Exception as error:  # collected: every failing operation is reported
            failures[operation.label] = str(error)[:2000]
    return len(operations), failures


def _headers(headers: Headers) -> dict[str, str]:
    return headers() if callable(headers) else headers


def _fuzz_operation(
    operation: Any,
    headers: dict[str, str],
    max_examples: int,
    until: float | None,
    seen: Counter[int] | None,
) -> None:
    """Send ``operation`` generated input until ``max_examples`` or the clock ``until``."""
    from hypothesis import given
    from schemathesis.checks import not_a_server_error

    @_settings(max_examples)
    @given(case=operation.as_strategy())
    def run(case: Any) -> None:
        if until is not None and time.monotonic() > until:
            return  # this operation's share of the budget is spent
        response = case.call(headers=headers)
        if seen is not None:
            seen[response.status_code] += 1
        case.validate_response(response, checks=[not_a_server_error])

    run()


def fuzz_links(
    app: Flask,
    headers: Headers,
    *,
    scenarios: int = 50,
    steps: int = 6,
    calls: Counter[tuple[str, int]] | None = None,
    seconds: float | None = None,
) -> list[str]:
    """Follow the document's links as state machines; returns the failures found.

    Each of ``scenarios`` sequences starts at an operation and follows up to ``steps``
    links from its answers (a created id into GET and PATCH, a next cursor into the
    next page), so routes are reached with ids and cursors the API itself handed out.
    ``calls``, when given, counts the ``(operation, status)`` of every call made.
    With ``seconds``, no scenario starts after that long.
    """
    import schemathesis
    from schemathesis.checks import not_a_server_error

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    machine = schema.as_state_machine()
    failures: dict[str, str] = {}

    class Scenarios(machine):  # type: ignore[misc, valid-type]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"headers": _headers(headers)}

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            if calls is not None:
                calls[(case.operation.label, response.status_code)] += 1
            # Collected, not raised: a replay against a database the scenarios have
            # changed would not fail the same way, and Hypothesis would call it flaky.
            try:
                case.validate_response(response, checks=[not_a_server_error])
            except Exception as error:
                failures.setdefault(case.operation.label, str(error)[:2000])

    _run_scenarios(Scenarios, scenarios, steps, seconds)
    return [f"{label}: {error}" for label, error in failures.items()]


class _OutOfTime(Exception):
    """The scenarios' time is up."""


def _run_scenarios(
    machine: Any, scenarios: int, steps: int, seconds: float | None, runs: int = 10
) -> int:
    """Run ``machine`` until ``scenarios`` scenarios ran (or ``runs`` runs); returns how many.

    The server's database changes under the scenarios, so a later scenario can find
    a bundle empty that was full when Hypothesis first drew the same choices; it calls
    that flaky and stops. The run is then started again, on the changed database.
    """
    from hypothesis.errors import FlakyStrategyDefinition

    started = [0]
    setup = machine.setup
    end = time.monotonic() + seconds if seconds else None

    def counting(self: Any) -> None:
        if end is not None and time.monotonic() > end:
            raise _OutOfTime
        started[0] += 1
        setup(self)

    machine.setup = counting
    for _ in range(runs):
        left = scenarios - started[0]
        if left <= 0:
            break
        try:
            machine.run(settings=_settings(left, stateful_step_count=steps))
        except FlakyStrategyDefinition:
            continue
        except _OutOfTime:
            pass
        break
    return started[0]


def under(*prefixes: str) -> Callable[[str], bool]:
    """An ``include`` for paths under any of ``prefixes`` (``/api/v1/sales/``)."""
    return lambda path: path.startswith(tuple(prefixes))


def outside(prefixes: Iterable[str]) -> Callable[[str], bool]:
    """An ``include`` for paths under none of ``prefixes``."""
    excluded = tuple(prefixes)
    return lambda path: not path.startswith(excluded)
