"""A bounded loopback HTTP load: keep-alive connections walking customer pages and details.

One asyncio loop drives every connection (aiohttp, whose HTTP parser is compiled),
so a single process can keep 32 connections busy without a thread per connection
fighting the server for the GIL. Each connection walks the customer list from its
own starting cursor: a 50-row page, then the detail of one customer on it, then the
next page by ``next_cursor``. The walk is the same on every server, so two servers
of the same data must answer the same ids in the same order.

The load is bounded twice: a fixed number of steps per connection, and a deadline
after which no connection starts another request.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

#: Customers per page, as the issue asks.
PAGE_SIZE = 50


@dataclass
class LoadResult:
    """What one load run measured."""

    #: Wall time from the first request to the last answer, in seconds.
    seconds: float
    #: Time of each answered request, in seconds, in no particular order.
    latencies: list[float]
    #: Per connection: the ids each request answered, in order (a page's ids, a detail's id).
    answers: list[list[tuple[int, ...]]] = field(default_factory=list)
    #: The first errors met (status and body start); the run stops at the first one.
    errors: list[str] = field(default_factory=list)
    #: Whether the deadline cut the run short.
    cut_short: bool = False

    @property
    def requests(self) -> int:
        """Requests answered."""
        return len(self.latencies)

    @property
    def throughput(self) -> float:
        """Requests answered a second."""
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> float:
        """The latency (seconds) below which ``share`` (0–1) of the requests fall (nearest rank)."""
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        # Rounded first: 0.99 * 100 is 99.00000000000001 in floating point, not 99.
        rank = max(1, math.ceil(round(len(ordered) * share, 9)))
        return ordered[rank - 1]


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile ``share`` (0–1) of ``values``; 0 for none."""
    return LoadResult(0.0, list(values)).percentile(share)


def run_load(
    base: str,
    starts: Sequence[str | None],
    *,
    steps: int,
    headers: dict[str, str] | None = None,
    deadline: float = 300.0,
) -> LoadResult:
    """Walk ``steps`` page-and-detail steps on one connection per start cursor.

    ``starts`` holds each connection's first cursor (``None``: the first page).
    A walk that reaches the last page starts again at its own first cursor.
    No request starts after ``deadline`` seconds.
    """
    work = _load(base, list(starts), steps, headers or {}, deadline)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(work)
    # Called where a loop already runs (a test session that drove a browser through
    # Playwright's sync API): the load gets a loop of its own in a thread of its own.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, work).result()


async def _load(
    base: str, starts: list[str | None], steps: int, headers: dict[str, str], deadline: float
) -> LoadResult:
    import aiohttp

    latencies: list[float] = []
    answers: list[list[tuple[int, ...]]] = [[] for _ in starts]
    errors: list[str] = []
    stop_at = time.perf_counter() + deadline
    cut = [False]
    connector = aiohttp.TCPConnector(limit=len(starts), limit_per_host=len(starts))
    timeout = aiohttp.ClientTimeout(total=60)

    async with aiohttp.ClientSession(
        base, connector=connector, timeout=timeout, headers=headers
    ) as session:

        async def fetch(path: str, params: dict[str, Any] | None) -> Any:
            started = time.perf_counter()
            async with session.get(path, params=params) as response:
                body = await response.read()
            latencies.append(time.perf_counter() - started)
            if response.status != 200:
                raise RuntimeError(f"{path} answered {response.status}: {body[:200]!r}")
            return json.loads(body)

        async def walk(index: int) -> None:
            cursor = starts[index]
            seen = answers[index]
            for step in range(steps):
                if errors:
                    return
                if time.perf_counter() > stop_at:
                    cut[0] = True
                    return
                params: dict[str, Any] = {"limit": PAGE_SIZE}
                if cursor:
                    params["cursor"] = cursor
                try:
                    page = await fetch("/api/v1/customers", params)
                    items = page["items"]
                    seen.append(tuple(item["id"] for item in items))
                    if not items:
                        cursor = starts[index]
                        continue
                    # A different row of each page, so details are spread over the table.
                    chosen = items[(index + 7 * step) % len(items)]["id"]
                    detail = await fetch(f"/api/v1/customers/{chosen}", None)
                    seen.append((detail["id"],))
                except (RuntimeError, aiohttp.ClientError, TimeoutError, ValueError) as error:
                    errors.append(str(error) or type(error).__name__)
                    return
                cursor = page["next_cursor"] or starts[index]

        started = time.perf_counter()
        await asyncio.gather(*(walk(i) for i in range(len(starts))))
        seconds = time.perf_counter() - started
    return LoadResult(seconds, latencies, answers, errors[:5], cut[0])
