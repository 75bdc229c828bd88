"""Per-host politeness: at most N requests in flight per host, each of those N connections
waiting the configured interval between its requests (so a host sees at most N requests per
interval, evenly spaced), and robots.txt Crawl-delay, when larger, between any two requests
to the host."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class HostLimiter:
    def __init__(self, per_host_concurrency: int, min_interval_s: float, global_concurrency: int) -> None:
        self.per_host = max(1, per_host_concurrency)
        self.min_interval = min_interval_s
        self.global_slots = asyncio.Semaphore(global_concurrency)
        self._slots: dict[str, asyncio.Semaphore] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._next_start: dict[str, float] = {}
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
        slots = self._slots.setdefault(host, asyncio.Semaphore(self.per_host))
        lock = self._locks.setdefault(host, asyncio.Lock())
        async with slots:
            async with lock:
                wait = self._next_start.get(host, 0.0) - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                self._next_start[host] = time.monotonic() + self.interval(host)
            async with self.global_slots:
                yield
