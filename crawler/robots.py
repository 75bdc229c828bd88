"""robots.txt per host (RFC 9309, parsed by protego).

2xx: the rules apply. 4xx: no rules, everything allowed. 5xx or no answer: the RFC says
assume complete disallow, so nothing on that host is fetched and the crawl says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from protego import Protego

from govaudit.crawler.fetch import Fetcher
from govaudit.crawler.urls import origin_key

_MAX_ROBOTS_BYTES = 512_000
_AGENT = "govaudit"


@dataclass
class RobotsPolicy:
    url: str
    status: int | None
    error: str | None
    parser: Protego | None
    disallow_all: bool = False

    def allowed(self, url: str) -> bool:
        if self.disallow_all:
            return False
        if self.parser is None:
            return True
        return bool(self.parser.can_fetch(url, _AGENT))

    def crawl_delay(self) -> float | None:
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(_AGENT)
        return float(delay) if delay else None


class RobotsCache:
    def __init__(self, fetcher: Fetcher) -> None:
        self.fetcher = fetcher
        self._policies: dict[str, RobotsPolicy] = {}

    async def policy_for(self, url: str) -> RobotsPolicy:
        key = origin_key(url)
        if key not in self._policies:
            self._policies[key] = await self._load(url)
            delay = self._policies[key].crawl_delay()
            self.fetcher.limiter.set_crawl_delay(key, delay)
        return self._policies[key]

    def policies(self) -> dict[str, RobotsPolicy]:
        return dict(self._policies)

    async def _load(self, url: str) -> RobotsPolicy:
        scheme, _, rest = url.partition("://")
        robots_url = f"{scheme}://{rest.split('/', 1)[0]}/robots.txt"
        fetched = await self.fetcher.fetch(robots_url, max_bytes=_MAX_ROBOTS_BYTES)
        outcome = fetched.outcome
        status = outcome.status
        if status is not None and 200 <= status < 300:
            text = (fetched.body or b"").decode("utf-8", errors="replace")
            try:
                parser = Protego.parse(text)
            except Exception:  # protego on garbage: treat as no rules rather than crash
                parser = None
            return RobotsPolicy(robots_url, status, None, parser)
        if status is not None and 400 <= status < 500:
            return RobotsPolicy(robots_url, status, None, None)
        return RobotsPolicy(robots_url, status, outcome.error, None, disallow_all=True)
