"""What the crawl itself needs to remember of the pages it has handed on: the link targets
still to check, the candidates for download, the pages the IPv6 stage samples.

Pages leave the crawler as soon as they are read (to the store); this index keeps only
the URLs its later stages need, bounded where the stage needs only a sample, so that a
crawl's memory grows by a few hundred bytes per page, not by the page's record.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from govaudit.crawler.snapshot import NAVIGATION_TAGS, Link, PageRecord

# Tags of links that load a resource into the page (the IPv6 stage asks their hosts for AAAA).
RESOURCE_TAGS = frozenset({"script", "link", "icon", "img", "iframe", "frame"})
_RESOURCES_PER_HOST = 10


@dataclass
class CrawlIndex:
    depth_sample_cap: int = 200
    max_resource_hosts: int = 50
    crawled: set[str] = field(default_factory=set)       # URLs fetched as pages
    ok_origins: set[str] = field(default_factory=set)    # scheme://netloc of in-scope pages that loaded
    # link URL -> its value for the link-check order (lower first), from the first page that linked it
    targets: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    document_links: dict[str, str] = field(default_factory=dict)   # in-scope document URL -> first link text
    scanned_links: dict[str, str] = field(default_factory=dict)    # the same, of documents read for their text
    level_pages: dict[int, list[str]] = field(default_factory=lambda: {2: [], 3: []})
    level_found: dict[int, int] = field(default_factory=lambda: {2: 0, 3: 0})
    resources: dict[str, list[str]] = field(default_factory=dict)   # other host -> resource URLs

    def add(self, page: PageRecord, in_scope: Callable[[str], bool], is_document: Callable[[str], bool],
            attachment_words: Sequence[str], scanned_words: Sequence[str] = ()) -> None:
        """Remember what later stages need of `page`."""
        self.crawled.add(page.url)
        self.targets.pop(page.url, None)
        final = urlsplit(page.fetch.final_url)
        if page.fetch.ok and in_scope(page.fetch.final_url):
            self.ok_origins.add(f"{final.scheme}://{final.netloc}")
        self._add_level(page, in_scope(page.fetch.url))
        for link in page.links:
            url = link.url
            if (link.tag == "a" and url not in self.document_links and any(w in link.text for w in attachment_words)
                    and is_document(url) and in_scope(url)):
                self.document_links[url] = link.text
            elif (link.tag == "a" and url not in self.scanned_links and url not in self.document_links
                    and any(w in link.text for w in scanned_words) and is_document(url) and in_scope(url)):
                self.scanned_links[url] = link.text
            if link.tag in RESOURCE_TAGS and not in_scope(url):
                self._add_resource(url)

    def add_target(self, page: PageRecord, link: Link) -> None:
        """A link the crawl will not fetch as a page: checked later, in order of value (from
        the first page that links it)."""
        if link.url not in self.targets and link.url not in self.crawled:
            self.targets[link.url] = (0 if page.depth == 0 else 1, 0 if link.tag in NAVIGATION_TAGS else 1, page.depth)

    def link_targets(self) -> list[str]:
        """Every link target not fetched as a page, most valuable first (links of the
        homepage, then of shallow pages; page links before resources)."""
        return [url for url, _ in sorted(self.targets.items(), key=lambda pair: pair[1]) if url not in self.crawled]

    def _add_level(self, page: PageRecord, in_scope: bool) -> None:
        level = page.depth + 1
        if level in self.level_pages and page.found_via in ("a", "area") and page.fetch.ok and in_scope:
            self.level_found[level] += 1
            if len(self.level_pages[level]) < self.depth_sample_cap:
                self.level_pages[level].append(page.url)

    def _add_resource(self, url: str) -> None:
        host = (urlsplit(url).hostname or "").lower()
        if not host:
            return
        entries = self.resources.get(host)
        if entries is None:
            if len(self.resources) >= self.max_resource_hosts:
                return
            entries = self.resources[host] = []
        if len(entries) < _RESOURCES_PER_HOST and url not in entries:
            entries.append(url)
