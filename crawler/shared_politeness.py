"""Per-host politeness shared by every worker of a distributed run, kept in Redis.

A host's request slots are leases: members of a sorted set scored by their expiry, taken
and given back by the workers. A live worker renews the leases it holds (every third of
their life); a worker that dies keeps them only until they expire, so it blocks a host for
seconds, never for long. The next allowed start of each host is a key of its own. Both are read and changed by
one Lua script, on the Redis server's clock (workers' clocks may differ).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import redis.asyncio as redis
from redis.exceptions import RedisError

from govaudit.crawler.politeness import LocalHostGate

# KEYS: the host's leases, its next start. ARGV: slots, spacing ms, lease ms, token.
# -> 0 taken; > 0 ms until the next start is allowed; -1 no slot free.
_ACQUIRE = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000 + math.floor(tonumber(now_parts[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
  return -1
end
local next_start = tonumber(redis.call('GET', KEYS[2]) or '0')
if next_start > now then
  return next_start - now
end
local lease_ms = tonumber(ARGV[3])
redis.call('ZADD', KEYS[1], now + lease_ms, ARGV[4])
redis.call('PEXPIRE', KEYS[1], lease_ms)
local spacing = tonumber(ARGV[2])
if spacing > 0 then
  redis.call('SET', KEYS[2], now + spacing, 'PX', spacing)
end
return 0
"""
# KEYS: leases. ARGV: lease ms, tokens... -> the leases still held are pushed back.
_RENEW = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000 + math.floor(tonumber(now_parts[2]) / 1000)
local lease_ms = tonumber(ARGV[1])
for i = 2, #ARGV do
  redis.call('ZADD', KEYS[1], 'XX', now + lease_ms, ARGV[i])
end
redis.call('PEXPIRE', KEYS[1], lease_ms)
return 0
"""
_POLL_S = 0.02   # waiting for a free slot: how often to ask again (jittered)
_RETRY_REDIS_S = 30.0
logger = logging.getLogger(__name__)
LEASE_S = 15.0


class RedisHostGate:
    """A HostGate (crawler.politeness) across processes and machines. Should Redis fail, it
    goes on with this process's own gate for a while (never stopping the crawl, never
    turning a site's pages into errors), says why in `degraded`, then tries Redis again."""

    def __init__(self, url: str, lease_s: float = LEASE_S, prefix: str = "govaudit:host") -> None:
        self.client = redis.Redis.from_url(url, socket_timeout=10, socket_connect_timeout=10)
        self.lease_ms = max(1000, int(lease_s * 1000))
        self.prefix = prefix
        self._acquire = self.client.register_script(_ACQUIRE)
        self._renew = self.client.register_script(_RENEW)
        self._held: dict[str, str] = {}     # token -> its host's leases key
        self._renewer: asyncio.Task[None] | None = None
        self._local = LocalHostGate()
        self.degraded: str | None = None
        self._degraded_until = 0.0

    async def close(self) -> None:
        if self._renewer is not None:
            self._renewer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._renewer
        await self.client.aclose()

    async def _renew_held(self) -> None:
        while True:
            await asyncio.sleep(self.lease_ms / 3000)
            by_host: dict[str, list[str]] = {}
            for token, leases in list(self._held.items()):
                by_host.setdefault(leases, []).append(token)
            for leases, tokens in by_host.items():
                with contextlib.suppress(RedisError):
                    await self._renew(keys=[leases], args=[self.lease_ms, *tokens])

    @asynccontextmanager
    async def hold(self, host: str, limit: int, spacing_s: float) -> AsyncIterator[None]:
        if time.monotonic() >= self._degraded_until:
            leases = f"{self.prefix}:{host}:leases"
            token = secrets.token_hex(8)
            try:
                await self._take(host, leases, token, limit, spacing_s)
            except RedisError as exc:
                self.degraded = f"{type(exc).__name__}: {exc}"
                self._degraded_until = time.monotonic() + _RETRY_REDIS_S
                logger.warning("shared politeness unavailable for %s s, this process's own limits apply: %s",
                               _RETRY_REDIS_S, self.degraded)
            else:
                self._held[token] = leases
                if self._renewer is None:
                    self._renewer = asyncio.create_task(self._renew_held())
                try:
                    yield
                finally:
                    del self._held[token]
                    with contextlib.suppress(RedisError):   # (else the lease expires by itself)
                        await self.client.zrem(leases, token)
                return
        async with self._local.hold(host, limit, spacing_s):
            yield

    async def _take(self, host: str, leases: str, token: str, limit: int, spacing_s: float) -> None:
        while True:
            answer = int(await self._acquire(keys=[leases, f"{self.prefix}:{host}:next"],
                                             args=[limit, int(spacing_s * 1000), self.lease_ms, token]))
            if answer == 0:
                return
            wait = answer / 1000 if answer > 0 else _POLL_S
            await asyncio.sleep(wait * random.uniform(1.0, 1.5))
