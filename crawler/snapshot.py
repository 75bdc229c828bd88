"""What a crawl saw: the frozen input of every rule.

Rules read a SiteSnapshot and do no I/O. Network probes (link checks, the soft-404 probe)
are crawler stages whose outcomes are recorded here as plain data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import lxml.html

# How a link was found: which element and attribute carried it.
LinkTag = Literal["a", "area", "iframe", "frame", "link", "script", "img"]
NAVIGATION_TAGS: frozenset[str] = frozenset({"a", "area", "iframe", "frame"})


@dataclass(frozen=True)
class Attempt:
    """One try of one request."""

    method: str
    status: int | None
    error: str | None       # error class name and text when no response came
    elapsed_s: float
    retry_after_s: float | None = None
    connect_s: float | None = None      # TCP connect, when this request opened a connection
    first_byte_s: float | None = None   # from sending to the response headers


@dataclass(frozen=True)
class Hop:
    url: str
    status: int


@dataclass(frozen=True)
class Link:
    url: str          # normalised absolute URL
    tag: str
    text: str = ""


@dataclass(frozen=True)
class FetchOutcome:
    """The result of fetching a URL, after redirects and retries."""

    url: str
    final_url: str
    status: int | None
    error: str | None
    attempts: tuple[Attempt, ...]
    redirects: tuple[Hop, ...] = ()
    headers: tuple[tuple[str, str], ...] = ()
    elapsed_s: float = 0.0
    fetched_at: str = ""
    method: str = "GET"
    left_scope: bool = False   # a redirect pointed outside the audit's scope and was not followed

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    def header(self, name: str) -> str | None:
        lower = name.lower()
        return next((v for k, v in self.headers if k.lower() == lower), None)


@dataclass
class Page:
    """A page of the site that was fetched (not merely link-checked)."""

    fetch: FetchOutcome
    depth: int
    found_on: str | None          # the page whose link led here (None for the homepage)
    found_via: str | None         # the tag of that link
    content_type: str = ""
    encoding: str | None = None
    encoding_source: str | None = None   # header / meta / detected / default
    html: str | None = None              # decoded text of an HTML page
    truncated: bool = False
    size_bytes: int = 0
    title: str = ""
    links: tuple[Link, ...] = ()
    skipped_links: tuple[tuple[str, str], ...] = ()   # (href, scheme or problem) never fetched

    @property
    def url(self) -> str:
        return self.fetch.url

    @property
    def is_html(self) -> bool:
        return self.html is not None

    @property
    def is_navigation_page(self) -> bool:
        """A page a visitor opens by itself (reached by a link or the homepage), as opposed to
        a fragment loaded into an iframe/frame of another page."""
        return self.found_via in (None, "a", "area")

    @cached_property
    def tree(self) -> lxml.html.HtmlElement | None:
        """The parsed document, parsed once and shared by every rule."""
        from crawler.extract import parse_html

        return parse_html(self.html) if self.html is not None else None


@dataclass(frozen=True)
class Soft404Probe:
    host_url: str
    probe_url: str
    outcome: FetchOutcome
    title: str = ""


@dataclass
class CrawlNote:
    """Something about the crawl as a whole that limits what rules can say."""

    kind: str          # e.g. limit_pages, limit_time, robots_disallowed, robots_unavailable
    detail: str
    urls: tuple[str, ...] = ()


@dataclass
class SiteSnapshot:
    name: str
    start_url: str
    unit: str
    kind: str
    scope_hosts: tuple[str, ...]
    started_at: str
    finished_at: str = ""
    homepage: FetchOutcome | None = None
    pages: dict[str, Page] = field(default_factory=dict)
    link_checks: dict[str, FetchOutcome] = field(default_factory=dict)
    soft404: list[Soft404Probe] = field(default_factory=list)
    notes: list[CrawlNote] = field(default_factory=list)
    robots_blocked: set[str] = field(default_factory=set)

    @property
    def homepage_page(self) -> Page | None:
        return self.pages.get(self.start_url)

    def outcome_of(self, url: str) -> FetchOutcome | None:
        """How a link target fared: the page fetch when crawled, else the link check."""
        page = self.pages.get(url)
        return page.fetch if page else self.link_checks.get(url)

    def linked_from(self) -> dict[str, list[tuple[str, str]]]:
        """Inverse link graph: target URL -> [(page URL, tag)], in crawl order."""
        graph: dict[str, list[tuple[str, str]]] = {}
        for page in self.pages.values():
            for link in page.links:
                entries = graph.setdefault(link.url, [])
                if all(src != page.url for src, _ in entries):
                    entries.append((page.url, link.tag))
        return graph

    def html_pages(self) -> list[Page]:
        return [p for p in self.pages.values() if p.is_html and p.fetch.ok]


def now_iso() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")
