"""What a crawl saw: the input of every rule.

Rules read a SiteSnapshot and do no I/O. Network probes (link checks, the soft-404 probe)
are crawler stages whose outcomes are recorded here as plain data. Pages are PageRecords
(frozen, bodies apart) in a mapping that a store may back: a snapshot of a large site is
read page by page, never held whole in memory.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol

from govaudit.crawler.bodies import compress, decompress
from govaudit.crawler.failures import Failure

# How a link was found: which element and attribute carried it.
LinkTag = Literal["a", "area", "iframe", "frame", "link", "icon", "script", "img"]
# "refresh": where a stub page sends its visitor (<meta http-equiv="refresh">, or a tiny page
# whose script sets location), followed like a link.
NAVIGATION_TAGS: frozenset[str] = frozenset({"a", "area", "iframe", "frame", "refresh"})


DnsStatus = Literal["ok", "nodata", "nxdomain", "timeout", "servfail", "error", "not_asked"]


@dataclass(frozen=True)
class DnsAnswer:
    name: str
    rdtype: str
    status: DnsStatus
    records: tuple[str, ...] = ()
    detail: str = ""
    source: Literal["resolve_map", "dns", "none"] = "dns"
    cnames: tuple[str, ...] = ()   # the CNAME chain followed to the answer

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def is_definite_absence(self) -> bool:
        """The DNS said there is no such record (not: we could not ask, or got no answer)."""
        return self.status in ("nodata", "nxdomain")


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


@dataclass(frozen=True, slots=True)
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
    failure: Failure | None = None   # why it did not load (crawler.failures), None when it did

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    def header(self, name: str) -> str | None:
        lower = name.lower()
        return next((v for k, v in self.headers if k.lower() == lower), None)


@dataclass(frozen=True, slots=True)
class PageRecord:
    """A page of the site that was fetched (not merely link-checked), without its body.

    `facts` is what the rules' page analysers found on it (a checks.facts.PageFacts, opaque
    to the crawler), filled in when the page is read back from the store.
    """

    fetch: FetchOutcome
    depth: int
    found_on: str | None          # the page whose link led here (None for the homepage)
    found_via: str | None         # the tag of that link
    content_type: str = ""
    encoding: str | None = None
    encoding_source: str | None = None   # header / meta / detected / default
    truncated: bool = False
    size_bytes: int = 0
    title: str = ""
    links: tuple[Link, ...] = ()
    skipped_links: tuple[tuple[str, str], ...] = ()   # (href, scheme or problem) never fetched
    render_error: str | None = None
    is_html: bool = False       # the body was read as an HTML page
    rendered: bool = False      # Chromium ran the page's scripts (the rendered DOM is stored)
    seq: int = 0                # crawl order within the site
    facts: object = None

    def __repr__(self) -> str:  # short: a page's links and facts would make it huge
        return f"<PageRecord {self.url} status={self.fetch.status} depth={self.depth} links={len(self.links)}>"

    @property
    def url(self) -> str:
        return self.fetch.url

    @property
    def is_navigation_page(self) -> bool:
        """A page a visitor opens by itself (reached by a link or the homepage), as opposed to
        a fragment loaded into an iframe/frame of another page."""
        return self.found_via in (None, "a", "area")


@dataclass(frozen=True, slots=True)
class CapturedPage:
    """What the crawler hands on for each fetched page: its record and its bodies."""

    record: PageRecord
    html: str | None = None            # decoded text of an HTML page
    rendered_html: str | None = None   # the DOM after Chromium ran the page's scripts

    @property
    def document(self) -> str | None:
        """The body the rules read: the rendered DOM when there is one."""
        return self.rendered_html if self.rendered_html is not None else self.html


class BodyReader(Protocol):
    """Whole page bodies of a snapshot, for the few rules that read a page's full text."""

    def html(self, url: str) -> str | None: ...

    def document(self, url: str) -> str | None:
        """The rendered DOM when the page was rendered, else its HTML."""
        ...


class PageSink(Protocol):
    """Where the crawler puts each fetched page; afterwards it reads them back through
    `pages` and `bodies` (once `flush` has returned)."""

    async def put(self, page: CapturedPage) -> None: ...

    async def flush(self) -> None: ...

    @property
    def pages(self) -> Mapping[str, PageRecord]: ...

    @property
    def bodies(self) -> BodyReader: ...


class MemoryPages:
    """A PageSink that keeps every page in memory (bodies compressed): for small crawls and
    for snapshots built by hand."""

    def __init__(self) -> None:
        self._pages: dict[str, PageRecord] = {}
        self._bodies: dict[str, tuple[bytes | None, bytes | None]] = {}

    async def put(self, page: CapturedPage) -> None:
        self.add(page)

    def add(self, page: CapturedPage) -> None:
        url = page.record.url
        self._pages[url] = page.record
        self._bodies[url] = (compress(page.html) if page.html is not None else None,
                             compress(page.rendered_html) if page.rendered_html is not None else None)

    async def flush(self) -> None:
        return None

    @property
    def pages(self) -> dict[str, PageRecord]:
        return self._pages

    @property
    def bodies(self) -> MemoryPages:
        return self

    def html(self, url: str) -> str | None:
        data = self._bodies.get(url, (None, None))[0]
        return decompress(data) if data is not None else None

    def document(self, url: str) -> str | None:
        html, rendered = self._bodies.get(url, (None, None))
        data = rendered if rendered is not None else html
        return decompress(data) if data is not None else None


class NoBodies:
    """The bodies of a snapshot whose pages were not kept."""

    def html(self, url: str) -> str | None:
        return None

    def document(self, url: str) -> str | None:
        return None


@dataclass(frozen=True)
class Soft404Probe:
    host_url: str
    probe_url: str
    outcome: FetchOutcome
    title: str = ""


@dataclass(frozen=True)
class HostDns:
    host: str
    a: DnsAnswer
    aaaa: DnsAnswer


@dataclass(frozen=True)
class FamilyFetch:
    """The homepage of one origin fetched over one address family, by explicit address."""

    url: str
    family: Literal["ipv4", "ipv6"]
    address: str | None
    status: int | None
    error: str | None
    size: int = 0
    connect_s: float | None = None
    first_byte_s: float | None = None
    total_s: float | None = None
    tries: int = 0

    @property
    def answered(self) -> bool:
        return self.status is not None and self.error is None


@dataclass(frozen=True)
class DepthCheck:
    """A page one (level 2, 二级) or two (level 3, 三级) clicks below the homepage, over IPv6."""

    url: str
    level: int
    status: int | None
    error: str | None

    @property
    def supported(self) -> bool:
        return self.status is not None and self.error is None and self.status < 400


@dataclass(frozen=True)
class ResourceHost:
    host: str
    aaaa: DnsAnswer
    resources: tuple[str, ...]


@dataclass
class Ipv6Probe:
    site_host: str
    hosts: tuple[HostDns, ...] = ()
    zone: str | None = None
    ns: DnsAnswer | None = None                 # the NS question for the zone
    nameservers: tuple[HostDns, ...] = ()       # each name server's A/AAAA
    fetches: tuple[FamilyFetch, ...] = ()
    compared_url: str | None = None
    difference: float | None = None             # 0..1 after noise removal; None: not compared
    first_differences: tuple[str, ...] = ()
    comparison_note: str = ""                   # why it was not compared
    depth: tuple[DepthCheck, ...] = ()
    depth_found: tuple[tuple[int, int], ...] = ()   # (level, pages found before the sample cap)
    resource_hosts: tuple[ResourceHost, ...] = ()
    notes: tuple[str, ...] = ()

    def host_dns(self, host: str) -> HostDns | None:
        return next((h for h in self.hosts if h.host == host), None)

    def depth_rate(self, level: int) -> tuple[int, int, float | None]:
        """(supported, tested, rate) of the level's pages over IPv6; rate None when none tested."""
        checks = [c for c in self.depth if c.level == level]
        supported = sum(1 for c in checks if c.supported)
        return supported, len(checks), (round(supported / len(checks), 4) if checks else None)

    def homepage_pair(self, url: str) -> tuple[FamilyFetch | None, FamilyFetch | None]:
        """The IPv4 and IPv6 fetches of one URL."""
        pick = {f.family: f for f in self.fetches if f.url == url}
        return pick.get("ipv4"), pick.get("ipv6")


@dataclass(frozen=True)
class Attachment:
    """A linked document the rules read (a yearly report published as PDF/DOCX/XLSX)."""

    url: str
    content_type: str
    data: bytes
    truncated: bool = False


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
    pages: Mapping[str, PageRecord] = field(default_factory=dict)
    link_checks: dict[str, FetchOutcome] = field(default_factory=dict)
    soft404: list[Soft404Probe] = field(default_factory=list)
    notes: list[CrawlNote] = field(default_factory=list)
    robots_blocked: set[str] = field(default_factory=set)
    ipv6: Ipv6Probe | None = None
    attachments: dict[str, Attachment] = field(default_factory=dict)
    tls_errors: dict[str, str] = field(default_factory=dict)   # site origin -> certificate error
    bodies: BodyReader = field(default_factory=NoBodies, repr=False, compare=False)

    def __repr__(self) -> str:
        # Short on purpose: asyncio and anyio put reprs of tasks (with their results) into
        # strings; the default repr of a 20,000-page snapshot is hundreds of megabytes.
        return f"<SiteSnapshot {self.name!r} {self.start_url}>"

    @property
    def homepage_page(self) -> PageRecord | None:
        return self.pages.get(self.start_url)

    def linked_from(self, targets: set[str] | None = None) -> dict[str, list[tuple[str, str]]]:
        """Inverse link graph: target URL -> [(page URL, tag)], in crawl order; only for
        `targets` when given."""
        graph: dict[str, list[tuple[str, str]]] = {}
        for page in self.pages.values():
            source = page.url
            for link in page.links:
                if targets is not None and link.url not in targets:
                    continue
                entries = graph.setdefault(link.url, [])
                if not entries or entries[-1][0] != source:  # each page once per target
                    entries.append((source, link.tag))
        return graph

    def html_pages(self) -> Iterator[PageRecord]:
        """The pages read as HTML, in crawl order (streamed: a stored snapshot reads them as
        it goes)."""
        return (p for p in self.pages.values() if p.is_html and p.fetch.ok)


def now_iso() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")
