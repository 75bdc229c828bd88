"""Per-host politeness: at most N requests in flight per host, each of those N connections
waiting the configured interval between its requests (so a host sees at most N requests per
interval, evenly spaced), and robots.txt Crawl-delay, when larger, between any two requests
to the host.

The per-host part is a HostGate: `LocalHostGate` within one process (every site of a local
run shares it, so two sites on one host are polite together); crawler.shared_politeness has
the one shared by every worker of a distributed run.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol


class HostGate(Protocol):
    def hold(self, host: str, limit: int, spacing_s: float) -> AbstractAsyncContextManager[None]:
        """One of `limit` request slots of `host`, started at least `spacing_s` after the
        previous start on that host."""
        ...


class LocalHostGate:
    def __init__(self) -> None:
        self._slots: dict[str, asyncio.Semaphore] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._next_start: dict[str, float] = {}

    @asynccontextmanager
    async def hold(self, host: str, limit: int, spacing_s: float) -> AsyncIterator[None]:
        slots = self._slots.setdefault(host, asyncio.Semaphore(limit))
        lock = self._locks.setdefault(host, asyncio.Lock())
        async with slots:
            async with lock:
                wait = self._next_start.get(host, 0.0) - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                self._next_start[host] = time.monotonic() + spacing_s
            yield


class HostLimiter:
    def __init__(self, per_host_concurrency: int, min_interval_s: float, global_concurrency: int,
                 gate: HostGate | None = None) -> None:
        self.per_host = max(1, per_host_concurrency)
        self.min_interval = min_interval_s
        self.global_slots = asyncio.Semaphore(global_concurrency)
        self.gate: HostGate = gate or LocalHostGate()
        self._crawl_delay: dict[str, float] = {}

    def set_crawl_delay(self, host: str, delay_s: float | None) -> None:
        if delay_s:
            self._crawl_delay[host] = float(delay_s)

    def interval(self, host: str) -> float:
        """The spacing between two request starts on `host`."""
        spacing = self.min_interval / self.per_host
        return max(spacing, self._crawl_delay.get(host, 0.0))

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        """Hold one of the host's request slots, started no sooner than its spacing allows."""
        async with self.gate.hold(host, self.per_host, self.interval(host)):
            async with self.global_slots:
                yield
