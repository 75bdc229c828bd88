"""The crawl of one site: homepage, breadth-first pages within limits, link checks, the
soft-404 probe. Produces a SiteSnapshot; never raises for anything a site does."""

from __future__ import annotations

import asyncio
import ipaddress
import time
import uuid
from collections.abc import Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

import lxml.html

from govaudit.crawler.encoding import decode_body
from govaudit.crawler.extract import extract_links, page_title, parse_html
from govaudit.crawler.failures import ResolutionFailed
from govaudit.crawler.fetch import Fetcher, looks_like_html
from govaudit.crawler.index import CrawlIndex
from govaudit.crawler.ipv6 import Ipv6Stage
from govaudit.crawler.options import CrawlerOptions, SiteConfig
from govaudit.crawler.politeness import HostGate, HostLimiter
from govaudit.crawler.render import Renderer, RenderUnavailable, needs_render, unavailable_reason
from govaudit.crawler.resolve import AddressGuard, DnsClient, Resolver
from govaudit.crawler.resources import ResourceCache
from govaudit.crawler.robots import RobotsCache
from govaudit.crawler.snapshot import (
    NAVIGATION_TAGS,
    Attachment,
    CapturedPage,
    CrawlNote,
    MemoryPages,
    PageRecord,
    PageSink,
    SiteSnapshot,
    Soft404Probe,
    now_iso,
)
from govaudit.crawler.traps import TrapWatch
from govaudit.crawler.urls import Scope, configure_session_parameters, normalize, origin_key

# Progress callback: (pages fetched, pages known so far, links checked, what the audit is
# doing or waiting for, with the time it expects that to take; "" when nothing to say)
Progress = Callable[[int, int, int, str], None]

# Linked files that are documents, not pages: checked by status only, never downloaded.
_DOCUMENT_SUFFIXES = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".wps", ".et",
                      ".zip", ".rar", ".7z", ".jpg", ".jpeg", ".png", ".gif", ".bmp", ".mp4",
                      ".mp3", ".avi", ".flv", ".swf", ".apk", ".exe", ".txt", ".xml", ".ofd", ".csv")


@dataclass
class _Frontier:
    queue: asyncio.Queue[tuple[str, int, str | None, str | None]] = field(default_factory=asyncio.Queue)
    seen: set[str] = field(default_factory=set)
    scheduled: int = 0
    dropped_by_limit: set[str] = field(default_factory=set)
    beyond_depth: set[str] = field(default_factory=set)   # site pages not followed: past max_depth


class SiteCrawler:
    def __init__(self, config: CrawlerOptions, site: SiteConfig, fetcher: Fetcher,
                 robots: RobotsCache, progress: Progress | None = None, dns: DnsClient | None = None,
                 renderer: Renderer | None = None, sink: PageSink | None = None) -> None:
        self.config = config
        self.limits = config.crawl
        self.site = site
        self.fetcher = fetcher
        self.robots = robots
        self.scope = Scope(site.url, site.same_site_hosts)
        self.progress = progress or (lambda *_: None)
        self.dns = dns
        self.renderer = renderer
        self.rendered_count = 0
        self.page_seq = 0
        self.frontier = _Frontier()
        self.bytes_read = 0
        self.deadline = 0.0
        self.claimed: set[str] = set()   # final URLs whose body a crawled URL has read (or is reading)
        self.sink: PageSink = sink if sink is not None else MemoryPages()
        self.index = CrawlIndex(config.ipv6.depth_sample_cap, config.ipv6.max_resource_hosts)
        self.traps = TrapWatch(config.crawl.max_url_family_chain)
        self.snapshot = SiteSnapshot(
            name=site.name, start_url=self.scope.start_url, unit=site.unit, kind=site.kind,
            scope_hosts=tuple(sorted(self.scope.hosts())), started_at=now_iso())

    async def run(self) -> SiteSnapshot:
        self.deadline = time.monotonic() + self.limits.max_site_seconds
        self.fetcher.insecure_ok = self.scope.contains
        try:
            await self._crawl_pages()
            await self.sink.flush()
            if self.snapshot.homepage is not None and self.snapshot.homepage.ok:
                await self._probe_soft404()
                await self._check_links()
                await self._fetch_attachments()
                if self.config.ipv6.enabled and self.dns is not None and not _is_ip_host(self.snapshot.homepage.final_url):
                    await self._probe_ipv6(self.dns)
        finally:
            self.snapshot.notes.extend(self.traps.notes())
            self.snapshot.finished_at = now_iso()
            self.snapshot.tls_errors = {k: v for k, v in self.fetcher.tls_errors.items() if k in self.scope.hosts()}
            self.snapshot.pages, self.snapshot.bodies = self.sink.pages, self.sink.bodies
        return self.snapshot

    # -- pages ---------------------------------------------------------------------------

    async def _crawl_pages(self) -> None:
        start = self.snapshot.start_url
        self.frontier.seen.add(start)
        self.frontier.scheduled = 1
        await self.frontier.queue.put((start, 0, None, None))
        workers = [asyncio.create_task(self._worker())
                   for _ in range(max(1, self.config.politeness.global_concurrency))]
        try:
            await asyncio.wait_for(self.frontier.queue.join(), timeout=self._remaining())
        except TimeoutError:
            self._note_time_limit("pages")
        finally:
            for worker in workers:
                worker.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
        beyond = self.frontier.beyond_depth - self.frontier.seen
        if beyond:
            self.snapshot.notes.append(CrawlNote(
                "limit_depth", f"达到抓取深度上限（{self.limits.max_depth} 层），"
                f"{'至少 ' if len(self.frontier.beyond_depth) >= _BEYOND_DEPTH_KEPT else ''}{len(beyond)} 个更深的站内页面未抓取，"
                "只检查了其链接状态", tuple(sorted(beyond)[:50])))
        if self.frontier.dropped_by_limit:
            dropped = sorted(self.frontier.dropped_by_limit)
            self.snapshot.notes.append(CrawlNote(
                "limit_pages", f"达到页面上限（{self.limits.max_pages} 页）或字节上限，"
                f"另有 {len(dropped)} 个站内页面未抓取，只检查了其链接状态", tuple(dropped[:50])))

    async def _worker(self) -> None:
        while True:
            url, depth, found_on, via = await self.frontier.queue.get()
            try:
                await self._crawl_page(url, depth, found_on, via)
            except Exception as exc:  # a bug must not stop the other pages; record it
                self.snapshot.notes.append(CrawlNote("internal_error", f"{type(exc).__name__}: {exc}", (url,)))
            finally:
                self.frontier.queue.task_done()
                self.progress(len(self.index.crawled), self.frontier.scheduled, 0, "")

    async def _crawl_page(self, url: str, depth: int, found_on: str | None, via: str | None) -> None:
        policy = await self.robots.policy_for(url)
        # An unavailable robots.txt means "disallow all" (RFC 9309), but the homepage the user
        # asked about is still requested once: whether it loads is the first thing to know.
        homepage_despite_unavailable = depth == 0 and policy.disallow_all
        if homepage_despite_unavailable:
            self.snapshot.notes.append(CrawlNote("robots_unavailable", _robots_reason(policy.status, policy.error),
                                                 (policy.url,)))
        elif not policy.allowed(url):
            self.snapshot.robots_blocked.add(url)
            if depth == 0:
                self.snapshot.notes.append(CrawlNote(
                    "robots_homepage", "robots.txt 禁止抓取首页，按规定未抓取", (url,)))
            return
        # The homepage may move (gxq.gov.cn -> www.gxq.gov.cn): its redirects define the site.
        follow = self._homepage_moves if depth == 0 else self.scope.contains
        fetched = await self.fetcher.fetch(url, max_bytes=self.limits.max_page_bytes,
                                           follow=follow, html_only=True)
        self.bytes_read += fetched.size
        outcome = fetched.outcome
        if depth == 0 and not self.scope.contains(outcome.final_url):
            self.scope.keys.add(origin_key(outcome.final_url))
            self.snapshot.scope_hosts = tuple(sorted(self.scope.hosts()))
        if depth == 0:
            self.snapshot.homepage = outcome
        self.frontier.seen.add(outcome.final_url)
        page = PageRecord(fetch=outcome, depth=depth, found_on=found_on, found_via=via,
                          content_type=outcome.header("content-type") or "", truncated=fetched.truncated,
                          size_bytes=fetched.size, seq=self.page_seq)
        self.page_seq += 1
        # Two URLs that redirect to one page (/, /index.html) are one page: read it once.
        first_reader = outcome.final_url not in self.claimed
        self.claimed.add(outcome.final_url)
        if first_reader and outcome.ok and fetched.body is not None and depth > 0:
            first_reader = self.traps.duplicate_of(url, fetched.body) is None
        captured = CapturedPage(page)
        if first_reader and outcome.ok and fetched.body is not None and _is_html(page.content_type, fetched.body):
            captured = await self._read_html(page, fetched.body)
        self.index.add(captured.record, self.scope.contains, _is_document, self.limits.attachment_words,
                       self.limits.scanned_attachment_words)
        self._enqueue_links(captured.record)
        await self.sink.put(captured)

    def _homepage_moves(self, url: str) -> bool:
        if self.fetcher.guard is not None:
            self.fetcher.guard.trust_host(urlsplit(url).hostname or "")
        return True

    async def _read_html(self, page: PageRecord, body: bytes) -> CapturedPage:
        text, encoding, source = decode_body(body, page.content_type or None)
        tree = parse_html(text)
        links, skipped = extract_links(tree, page.fetch.final_url)
        page = replace(page, encoding=encoding, encoding_source=source, title=page_title(tree), links=links,
                       skipped_links=skipped, is_html=True)
        return await self._render_if_needed(CapturedPage(page, text), tree)

    async def _render_if_needed(self, captured: CapturedPage, tree: lxml.html.HtmlElement) -> CapturedPage:
        """Run the page's scripts in Chromium when its static HTML cannot show what the rules
        need (or always, by configuration); the rendered DOM's links join the crawl."""
        options = self.config.render
        if self.renderer is None or self.rendered_count >= options.max_rendered_pages:
            return captured
        if options.mode != "always" and not needs_render(tree):
            return captured
        self.rendered_count += 1
        page, html = captured.record, captured.html
        assert html is not None
        rendered = await self.renderer.render(page.fetch.final_url, html)
        if rendered.html is None:
            return CapturedPage(replace(page, render_error=rendered.error), html)
        links, skipped = extract_links(parse_html(rendered.html), page.fetch.final_url)
        known = {link.url for link in page.links}
        page = replace(page, rendered=True, links=page.links + tuple(link for link in links if link.url not in known),
                       skipped_links=tuple(dict.fromkeys(page.skipped_links + skipped)))
        return CapturedPage(page, html, rendered.html)

    def _enqueue_links(self, page: PageRecord) -> None:
        """Links to crawl go to the frontier; the others (resources, documents, other sites,
        beyond the limits) become link-check targets."""
        next_depth = page.depth + 1
        for link in page.links:
            if link.url in self.frontier.seen:
                continue
            if (link.tag not in NAVIGATION_TAGS or not self.scope.contains(link.url) or _is_document(link.url)
                    or next_depth > self.limits.max_depth or not self.traps.allows(page.url, link.url)):
                if next_depth > self.limits.max_depth and link.tag in NAVIGATION_TAGS and self.scope.contains(link.url) \
                        and not _is_document(link.url) and len(self.frontier.beyond_depth) < _BEYOND_DEPTH_KEPT:
                    self.frontier.beyond_depth.add(link.url)
                self.index.add_target(page, link)
                continue
            self.frontier.seen.add(link.url)
            if self.frontier.scheduled >= self.limits.max_pages or self.bytes_read >= self.limits.max_site_bytes:
                self.frontier.dropped_by_limit.add(link.url)
                self.index.add_target(page, link)
                continue
            self.frontier.scheduled += 1
            self.frontier.queue.put_nowait((link.url, next_depth, page.url, link.tag))

    # -- probes and link checks ----------------------------------------------------------

    async def _probe_soft404(self) -> None:
        for host_url in sorted(self.index.ok_origins):
            probe_url = normalize(f"{host_url}/govaudit-probe-{uuid.uuid4().hex[:12]}.html")
            if not (await self.robots.policy_for(probe_url)).allowed(probe_url):
                continue
            fetched = await self.fetcher.fetch(probe_url, max_bytes=200_000, html_only=True,
                                               follow=self.scope.contains)
            title = ""
            if fetched.body and fetched.outcome.ok:
                title = page_title(parse_html(decode_body(fetched.body, fetched.outcome.header("content-type"))[0]))
            self.snapshot.soft404.append(Soft404Probe(host_url, probe_url, fetched.outcome, title))

    async def _check_links(self) -> None:
        targets = await self._not_forbidden(self._link_targets())
        checked = 0
        if len(targets) > self.limits.max_links_checked:
            left = targets[self.limits.max_links_checked:]
            targets = targets[: self.limits.max_links_checked]
            self.snapshot.notes.append(CrawlNote(
                "limit_links", f"达到链接检查上限（{self.limits.max_links_checked} 个），"
                f"另有 {len(left)} 个链接未检查", tuple(left[:50])))
        targets, dropped = fit_to_time(targets, self._remaining(), self.fetcher.limiter.interval)
        if dropped:
            self.snapshot.notes.append(CrawlNote(
                "limit_time", f"按每个主机的访问间隔，单站时间上限（{self.limits.max_site_seconds:g} 秒）内"
                f"只能检查 {len(targets)} 个链接，另有 {len(dropped)} 个未检查（先舍弃深层页面和资源上的链接）",
                tuple(dropped[:50])))

        expected_s = _expected_seconds(targets, self.fetcher.limiter.interval)

        async def check(url: str) -> None:
            nonlocal checked
            self.snapshot.link_checks[url] = await self.fetcher.check(url)
            checked += 1
            left = expected_s * (len(targets) - checked) / max(1, len(targets))
            self.progress(len(self.index.crawled), self.frontier.scheduled, checked,
                          f"检查链接 {checked}/{len(targets)}，按各主机的访问间隔预计还需约 {left:.0f} 秒")

        tasks = [asyncio.create_task(check(url)) for url in targets]
        if not tasks:
            return
        _, pending = await asyncio.wait(tasks, timeout=max(self._remaining(), 0.01))
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        if pending:
            unchecked = [u for u in targets if u not in self.snapshot.link_checks]
            self._note_time_limit("links", unchecked)

    async def _fetch_attachments(self) -> None:
        """Yearly reports first (up to 20), then lists read for personal data (bounded apart)."""
        reports = sorted(await self._not_forbidden(sorted(self.index.document_links)))[:20]
        scanned = sorted(await self._not_forbidden(sorted(self.index.scanned_links)))[:self.limits.max_scanned_attachments]
        for url, max_bytes in [*((u, self.limits.max_attachment_bytes) for u in reports),
                               *((u, self.limits.max_scanned_attachment_bytes) for u in scanned)]:
            fetched = await self.fetcher.fetch(url, max_bytes=max_bytes, follow=self.scope.contains)
            if fetched.outcome.ok and fetched.body:
                self.snapshot.attachments[url] = Attachment(
                    url, fetched.outcome.header("content-type") or "", fetched.body, fetched.truncated)

    async def _probe_ipv6(self, dns: DnsClient) -> None:
        stage = Ipv6Stage(self.config, dns, self.fetcher.limiter)
        try:
            self.snapshot.ipv6 = await asyncio.wait_for(stage.run(self.snapshot, self.index), timeout=max(self._remaining(), 0.01))
        except TimeoutError:
            self._note_time_limit("ipv6")
        except Exception as exc:  # a measuring bug must not lose the crawl
            self.snapshot.notes.append(CrawlNote("internal_error", f"IPv6 检测出错：{type(exc).__name__}: {exc}"))

    def _link_targets(self) -> list[str]:
        """Every link target not fetched as a page, most valuable first; external ones only
        when configured."""
        external = self.limits.check_external_links
        return [url for url in self.index.link_targets() if external or self.scope.contains(url)]

    async def _not_forbidden(self, urls: list[str]) -> list[str]:
        allowed = []
        for url in urls:
            if self.scope.contains(url) and not (await self.robots.policy_for(url)).allowed(url):
                self.snapshot.robots_blocked.add(url)
            else:
                allowed.append(url)
        return allowed

    def _remaining(self) -> float:
        return max(0.0, self.deadline - time.monotonic())

    def _note_time_limit(self, stage: str, urls: list[str] | None = None) -> None:
        what = {"pages": "页面抓取", "ipv6": "IPv6 检测"}.get(stage, f"链接检查（{len(urls or [])} 个未检查）")
        self.snapshot.notes.append(CrawlNote(
            "limit_time", f"达到单站时间上限（{self.limits.max_site_seconds:g} 秒），{what}提前结束",
            tuple((urls or [])[:50])))


def fit_to_time(targets: list[str], seconds: float, spacing: Callable[[str], float]) -> tuple[list[str], list[str]]:
    """(the targets that fit in `seconds` at each host's politeness spacing, the rest): per
    host, the first ones in the given order (most valuable first). A margin is kept for
    retries and for servers slower than the spacing."""
    budget: dict[str, int] = {}
    kept, dropped = [], []
    for url in targets:
        host = origin_key(url)
        if host not in budget:
            budget[host] = int(seconds * _PLAN_MARGIN / max(spacing(host), _MIN_SPACING_S))
        if budget[host] > 0:
            budget[host] -= 1
            kept.append(url)
        else:
            dropped.append(url)
    return kept, dropped


def _expected_seconds(targets: list[str], spacing: Callable[[str], float]) -> float:
    """How long checking `targets` takes at the politeness spacing of the busiest host."""
    per_host: dict[str, int] = {}
    for url in targets:
        host = origin_key(url)
        per_host[host] = per_host.get(host, 0) + 1
    return max((count * max(spacing(host), _MIN_SPACING_S) for host, count in per_host.items()), default=0.0)


# Link checks planned against the time left: at most this share of it, each request taking
# at least _MIN_SPACING_S even on a host without politeness spacing.
_PLAN_MARGIN = 0.7
_MIN_SPACING_S = 0.02


def _host_of(origin: str) -> str:
    """'host', 'host:port', '[::1]:port' -> the host name or address."""
    if origin.startswith("["):
        return origin[1:].split("]", 1)[0]
    return origin.rsplit(":", 1)[0]


def _is_ip_host(url: str) -> bool:
    """A site reached by IP address has no names to ask DNS about: no IPv6 stage for it."""
    host = urlsplit(url).hostname or ""
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return False


def _is_html(content_type: str, body: bytes) -> bool:
    if content_type:
        return looks_like_html(content_type)
    head = body[:1024].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<meta", b"<!--"))


_BEYOND_DEPTH_KEPT = 10_000   # pages past the depth limit remembered for the note (memory stays bounded)


def _is_document(url: str) -> bool:
    return urlsplit(url).path.lower().endswith(_DOCUMENT_SUFFIXES)


def _robots_reason(status: int | None, error: str | None) -> str:
    cause = f"HTTP {status}" if status is not None else (error or "无响应")
    return (f"robots.txt 无法获取（{cause}），按 RFC 9309 视为禁止抓取：只请求了首页，"
            "未抓取其他页面，链接和页面类检查不完整")


async def crawl_site(config: CrawlerOptions, site: SiteConfig, *, progress: Progress | None = None,
                     resolver: Resolver | None = None, sink: PageSink | None = None,
                     hosts: HostGate | None = None) -> SiteSnapshot:
    """Crawl one site with its own client. `hosts`: the per-host politeness shared with the
    other sites being crawled (in this process or, distributed, by every worker)."""
    limiter = HostLimiter(config.politeness.per_host_concurrency, config.politeness.min_interval_s,
                          config.politeness.global_concurrency, hosts)
    resolver = resolver or Resolver(config.network)
    configure_session_parameters(config.crawl.session_parameters)
    scope = Scope(site.url, site.same_site_hosts)
    guard = AddressGuard.from_network(config.network)
    for key in scope.hosts():  # the audited site's own addresses stay reachable
        try:
            guard.trust(await resolver.resolve(_host_of(key)))
        except ResolutionFailed:
            continue
    async with Fetcher(config, limiter, resolver, guard) as fetcher, AsyncExitStack() as stack:
        renderer, why_not = await _open_renderer(config, scope, fetcher, stack)
        crawler = SiteCrawler(config, site, fetcher, RobotsCache(fetcher), progress, resolver.dns, renderer, sink)
        if why_not:
            crawler.snapshot.notes.append(CrawlNote("render_unavailable", why_not))
        return await crawler.run()


async def _open_renderer(config: CrawlerOptions, scope: Scope, fetcher: Fetcher,
                         stack: AsyncExitStack) -> tuple[Renderer | None, str | None]:
    if config.render.mode == "never":
        return None, None
    reason = unavailable_reason(config.render)
    if reason:
        return None, reason
    resources = ResourceCache(fetcher, scope.contains, max_bytes_each=config.render.resource_max_bytes,
                              max_bytes_kept=config.render.resource_cache_mb * 1024 * 1024)
    try:
        renderer = await stack.enter_async_context(Renderer(config.render, scope.contains, resources))
    except RenderUnavailable as exc:
        return None, str(exc)
    return renderer, None
