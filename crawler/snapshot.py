"""What a crawl saw: the frozen input of every rule.

Rules read a SiteSnapshot and do no I/O. Network probes (link checks, the soft-404 probe)
are crawler stages whose outcomes are recorded here as plain data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal, TypeVar

from crawler.bodies import BodyRef, BodySpill, compress
from crawler.failures import Failure

if TYPE_CHECKING:
    import lxml.html

T = TypeVar("T")

# How a link was found: which element and attribute carried it.
LinkTag = Literal["a", "area", "iframe", "frame", "link", "icon", "script", "img"]
NAVIGATION_TAGS: frozenset[str] = frozenset({"a", "area", "iframe", "frame"})


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


class _Body:
    """A page body (text or None), in memory or in the crawl's BodySpill. Setting it sets the
    page's flag (is_html / rendered) and drops the parsed tree."""

    def __init__(self, flag: str) -> None:
        self.flag = flag
        self.key = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.key = f"_{name}"

    def __get__(self, page: Page | None, owner: type | None = None) -> str | None:
        if page is None:
            return None
        value = page.__dict__.get(self.key)
        if isinstance(value, BodyRef):
            return page.__dict__["_spill"].get(value)  # type: ignore[no-any-return]
        return value  # type: ignore[no-any-return]

    def __set__(self, page: Page, text: str | None) -> None:
        page.__dict__[self.key] = text
        setattr(page, self.flag, text is not None)
        page.forget_tree()


@dataclass
class Page:
    """A page of the site that was fetched (not merely link-checked).

    Its HTML (and the DOM after rendering) lives in memory or, once the crawl has analysed
    the page, in the crawl's BodySpill; `tree` parses it again on demand and keeps only the
    most recently used trees. Per-page facts the rules share are kept with `memo`.
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
    is_html: bool = False       # the body was read as an HTML page (html is set)
    rendered: bool = False      # Chromium ran the page's scripts (rendered_html is set)

    def __repr__(self) -> str:  # short: a page's links and facts would make it huge
        return f"<Page {self.url} status={self.fetch.status} depth={self.depth} links={len(self.links)}>"

    @property
    def url(self) -> str:
        return self.fetch.url

    @property
    def is_navigation_page(self) -> bool:
        """A page a visitor opens by itself (reached by a link or the homepage), as opposed to
        a fragment loaded into an iframe/frame of another page."""
        return self.found_via in (None, "a", "area")

    # -- bodies --------------------------------------------------------------------------

    html = _Body("is_html")                 # decoded text of an HTML page
    rendered_html = _Body("rendered")       # the DOM after Chromium ran the page's scripts

    def compressed_body(self, which: str = "html") -> bytes | None:
        """The body as zlib-compressed UTF-8 (the store's format), without a round trip
        through text when it waits in the spill."""
        value = self.__dict__.get(f"_{which}")
        if isinstance(value, BodyRef):
            return self.__dict__["_spill"].compressed(value)
        return compress(value) if value is not None else None

    def spill_to(self, spill: BodySpill) -> None:
        """Move the bodies out of memory and drop the parsed tree."""
        for key in ("_html", "_rendered_html"):
            value = self.__dict__.get(key)
            if isinstance(value, str):
                self.__dict__[key] = spill.put(value)
        self.__dict__["_spill"] = spill
        self.forget_tree()

    # -- the parsed tree and shared facts -------------------------------------------------

    @property
    def tree(self) -> lxml.html.HtmlElement | None:
        """The parsed document (the rendered DOM when the page was rendered), shared by every
        rule while it is among the recently used trees."""
        tree = _TREES.get(self)
        if tree is None:
            from crawler.extract import parse_html

            source = self.rendered_html if self.rendered else self.html
            if source is None:
                return None
            tree = parse_html(source)
            _TREES.put(self, tree)
        return tree

    def use_tree(self, tree: lxml.html.HtmlElement) -> None:
        """Adopt a tree parsed elsewhere (the crawler's) instead of parsing again."""
        _TREES.put(self, tree)

    def forget_tree(self) -> None:
        _TREES.drop(self)

    def memo(self, key: str, compute: Callable[[Page], T]) -> T:
        """compute(page) once per page and key: facts every rule reading this page shares."""
        facts = self.__dict__.setdefault("_facts", {})
        if key not in facts:
            facts[key] = compute(self)
        return facts[key]  # type: ignore[no-any-return]

    def forget(self, key: str) -> None:
        self.__dict__.get("_facts", {}).pop(key, None)


class _RecentTrees:
    """The parsed trees of the most recently used pages; older ones are parsed again when
    needed. Bounded so that a site's size never decides the memory its trees take."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._trees: OrderedDict[int, tuple[Page, lxml.html.HtmlElement]] = OrderedDict()

    def get(self, page: Page) -> lxml.html.HtmlElement | None:
        entry = self._trees.get(id(page))
        if entry is None:
            return None
        self._trees.move_to_end(id(page))
        return entry[1]

    def put(self, page: Page, tree: lxml.html.HtmlElement) -> None:
        self._trees[id(page)] = (page, tree)
        self._trees.move_to_end(id(page))
        while len(self._trees) > self.capacity:
            self._trees.popitem(last=False)

    def drop(self, page: Page) -> None:
        self._trees.pop(id(page), None)


_TREES = _RecentTrees(capacity=48)


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
    pages: dict[str, Page] = field(default_factory=dict)
    link_checks: dict[str, FetchOutcome] = field(default_factory=dict)
    soft404: list[Soft404Probe] = field(default_factory=list)
    notes: list[CrawlNote] = field(default_factory=list)
    robots_blocked: set[str] = field(default_factory=set)
    ipv6: Ipv6Probe | None = None
    attachments: dict[str, Attachment] = field(default_factory=dict)
    tls_errors: dict[str, str] = field(default_factory=dict)   # site origin -> certificate error

    def __repr__(self) -> str:
        # Short on purpose: asyncio and anyio put reprs of tasks (with their results) into
        # strings; the default repr of a 20,000-page snapshot is hundreds of megabytes.
        return f"<SiteSnapshot {self.name!r} {self.start_url} pages={len(self.pages)}>"

    def keep_bodies(self, spill: BodySpill) -> None:
        """The file where the crawl puts this snapshot's page bodies (closed by `close`)."""
        self.__dict__["_spill"] = spill

    def close(self) -> None:
        """Delete the crawl's spilled page bodies (after the snapshot has been stored)."""
        spill = self.__dict__.pop("_spill", None)
        if spill is not None:
            spill.close()

    @property
    def homepage_page(self) -> Page | None:
        return self.pages.get(self.start_url)

    def outcome_of(self, url: str) -> FetchOutcome | None:
        """How a link target fared: the page fetch when crawled, else the link check."""
        page = self.pages.get(url)
        return page.fetch if page else self.link_checks.get(url)

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

    def html_pages(self) -> list[Page]:
        return [p for p in self.pages.values() if p.is_html and p.fetch.ok]


def now_iso() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")
