"""The per-host politeness shared through Redis (crawler.shared_politeness), on a real
redis-server: the limits hold across gates (workers), a dead worker's lease lapses, and a
Redis that goes away never stops a crawl."""

from __future__ import annotations

import asyncio
import time

import redis

from govaudit.crawler.shared_politeness import RedisHostGate


async def _hold_all(gates: list[RedisHostGate], holders: int, limit: int, spacing_s: float,
                    hold_s: float) -> tuple[int, list[float]]:
    """`holders` requests to one host through the gates in turn -> (most at once, start times)."""
    inside, most, starts = 0, 0, []

    async def one(gate: RedisHostGate) -> None:
        nonlocal inside, most
        async with gate.hold("127.0.0.1:8080", limit, spacing_s):
            starts.append(time.monotonic())
            inside += 1
            most = max(most, inside)
            await asyncio.sleep(hold_s)
            inside -= 1

    await asyncio.gather(*(one(gates[n % len(gates)]) for n in range(holders)))
    return most, sorted(starts)


def test_two_workers_gates_keep_one_host_within_its_slots_and_spacing(redis_url: str) -> None:
    async def scenario() -> tuple[int, list[float]]:
        gates = [RedisHostGate(redis_url), RedisHostGate(redis_url)]
        try:
            return await _hold_all(gates, holders=8, limit=2, spacing_s=0.05, hold_s=0.1)
        finally:
            for gate in gates:
                await gate.close()

    most, starts = asyncio.run(scenario())
    assert most == 2
    assert all(b - a >= 0.045 for a, b in zip(starts, starts[1:]))
    assert starts[-1] - starts[0] < 2.0   # and they did go through


def test_a_dead_workers_lease_lapses(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    now_ms = int(client.time()[0]) * 1000
    client.zadd("govaudit:host:127.0.0.1:8080:leases", {"dead-worker": now_ms + 1500})   # the one slot, held
    client.close()

    async def scenario() -> float:
        gate = RedisHostGate(redis_url)
        started = time.monotonic()
        try:
            async with gate.hold("127.0.0.1:8080", 1, 0.0):
                return time.monotonic() - started
        finally:
            await gate.close()

    waited = asyncio.run(scenario())
    assert 0.5 < waited < 5.0


def test_a_redis_that_cannot_be_reached_falls_back_to_this_process_limits() -> None:
    async def scenario() -> tuple[int, str | None]:
        gate = RedisHostGate("redis://127.0.0.1:9/0")   # nothing listens there
        try:
            most, _ = await _hold_all([gate], holders=4, limit=1, spacing_s=0.0, hold_s=0.05)
            return most, gate.degraded
        finally:
            await gate.close()

    most, degraded = asyncio.run(scenario())
    assert most == 1 and degraded is not None and "Connection" in degraded
