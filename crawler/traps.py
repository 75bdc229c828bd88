"""Crawler traps recognised, not only bounded by the page limit.

- The same body under different URLs (a parameter the server ignores, a mirror path): read
  once, the other URLs recorded as its duplicates.
- A family of URLs that differ only in their numbers, each found on the previous one (a
  calendar's "next day", a counter): followed `max_chain` steps, then noted as a trap.
- Session parameters (a fresh ?sid= in every link) are removed by crawler.urls.normalize.
Each trap seen becomes a crawl note, so the report says why pages were left out.
"""

from __future__ import annotations

import hashlib
import re

from govaudit.crawler.snapshot import CrawlNote

_DIGITS = re.compile(r"\d+")
_LISTED = 5


def url_family(url: str) -> str:
    """The URL with every number replaced: /cal/2026-11-30 and /cal/2026-12-01 are one family."""
    return _DIGITS.sub("#", url)


class TrapWatch:
    def __init__(self, max_chain: int) -> None:
        self.max_chain = max_chain
        self._body_owner: dict[bytes, str] = {}
        self._duplicates: dict[str, list[str]] = {}
        self._chain: dict[str, int] = {}
        self._trapped: dict[str, list[str]] = {}   # family -> URLs not followed

    def duplicate_of(self, url: str, body: bytes) -> str | None:
        """The URL that already returned exactly this body, if any."""
        digest = hashlib.blake2b(body, digest_size=16).digest()
        owner = self._body_owner.setdefault(digest, url)
        if owner == url:
            return None
        self._duplicates.setdefault(owner, []).append(url)
        return owner

    def allows(self, parent_url: str, url: str) -> bool:
        """False for a link that continues a chain of one URL family past `max_chain`."""
        family = url_family(url)
        chain = self._chain.get(parent_url, 0) + 1 if family == url_family(parent_url) else 0
        if chain > self.max_chain:
            self._trapped.setdefault(family, []).append(url)
            return False
        if chain:   # (most links start no chain: only the links of a chain are remembered)
            self._chain.setdefault(url, chain)
        return True

    def notes(self) -> list[CrawlNote]:
        found = []
        if self._duplicates:
            count = sum(len(urls) for urls in self._duplicates.values())
            owner, copies = next(iter(self._duplicates.items()))
            found.append(CrawlNote("trap_duplicates", f"{count} 个网址返回与其他网址完全相同的内容，各只读取一次"
                                   f"（如 {copies[0]} 与 {owner}）",
                                   tuple(url for urls in self._duplicates.values() for url in urls)[:50]))
        for family, urls in self._trapped.items():
            found.append(CrawlNote("trap_url_family", f"网址族 {family} 连续 {self.max_chain} 层互相链接（如日历的“下一天”），"
                                   f"判断为抓取陷阱，之后的 {len(urls)} 个网址未抓取", tuple(urls[:_LISTED])))
        return found
