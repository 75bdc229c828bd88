"""Sub-resources for the browser, fetched by the crawler, never by Chromium itself.

When a page is rendered (or pictured), its scripts, stylesheets and images that lie inside
the audit's scope are fetched through the crawler's Fetcher (the same politeness, address
guard, byte and time limits) and handed to the browser; each is fetched once per audit (a
stylesheet shared by 300 pages costs one request). What the cache holds is bounded; past
that bound a resource is still fetched once per render but not kept.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from govaudit.crawler.fetch import Fetcher


@dataclass(frozen=True)
class Resource:
    status: int
    content_type: str
    body: bytes


class ResourceCache:
    def __init__(self, fetcher: Fetcher, in_scope: Callable[[str], bool], *, max_bytes_each: int,
                 max_bytes_kept: int) -> None:
        self.fetcher = fetcher
        self.in_scope = in_scope
        self.max_bytes_each = max_bytes_each
        self.max_bytes_kept = max_bytes_kept
        self.kept_bytes = 0
        self._kept: dict[str, Resource | None] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def get(self, url: str) -> Resource | None:
        """The resource at `url` (inside the scope, answered 2xx, not cut at the byte limit),
        else None: the browser is then refused it."""
        if url in self._kept:
            return self._kept[url]
        if not self.in_scope(url):
            return None
        async with self._locks.setdefault(url, asyncio.Lock()):
            if url in self._kept:
                return self._kept[url]
            resource = await self._fetch(url)
            size = len(resource.body) if resource is not None else 0
            if self.kept_bytes + size <= self.max_bytes_kept:
                self._kept[url] = resource
                self.kept_bytes += size
            self._locks.pop(url, None)
            return resource

    async def _fetch(self, url: str) -> Resource | None:
        fetched = await self.fetcher.fetch(url, max_bytes=self.max_bytes_each, follow=self.in_scope)
        outcome = fetched.outcome
        if not outcome.ok or fetched.body is None or fetched.truncated:
            return None
        return Resource(outcome.status or 200, outcome.header("content-type") or "application/octet-stream",
                        fetched.body)
