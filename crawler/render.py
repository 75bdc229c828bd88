"""Rendering pages in a real browser: Playwright driving Debian's Chromium.

The browser never fetches anything itself. Every request goes through route interception:
the page's own document is fulfilled from the body the crawler captured (already cut at
max_page_bytes and decompressed within its limit), so the DOM and the screenshot are those
of the audited bytes; sub-resources inside the audit's scope come through the crawler's
fetcher (crawler.resources: politeness, limits, address guard, fetched once per audit);
everything else is refused. Host names resolve to nothing (--host-resolver-rules), so a
request that escaped interception could not reach a server either.

Budgets: a time limit per page (a script that never ends is cut, its page closed), a cap on
the bytes fulfilled to one page, a JS heap cap, and a watchdog that kills the browser's
processes above a memory ceiling; the page is then reported as not rendered ("渲染超出资源
限制") and the next page gets a fresh browser. A bounded pool of contexts, each recycled
after a number of pages; images, fonts and media refused unless a screenshot is wanted;
downloads refused.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

from govaudit.crawler.options import RenderOptions
from govaudit.crawler.resources import ResourceCache

_BLOCKED_TYPES = {"image", "font", "media"}
_FLAGS = ["--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
          "--disable-component-update", "--disable-sync", "--disable-default-apps", "--mute-audio",
          "--host-resolver-rules=MAP * ~NOTFOUND"]
OVER_BUDGET = "渲染超出资源限制"
_WATCH_INTERVAL_S = 0.2


class RenderUnavailable(Exception):
    """No browser to render with; the message says what is missing, in Chinese."""


@dataclass(frozen=True)
class Rendered:
    url: str
    html: str | None
    error: str | None = None
    blocked: tuple[str, ...] = ()     # requests refused (outside the audit's scope)


@dataclass
class _Visit:
    """One page in the browser: its captured document and what is left of its byte budget."""

    url: str
    document: bytes
    screenshot: bool
    budget: int
    document_served: bool = False
    over_budget: bool = False
    blocked: list[str] = field(default_factory=list)


def browser_path(options: RenderOptions) -> str | None:
    path = options.chromium_path or shutil.which("chromium") or shutil.which("chromium-browser")
    return path if path and os.path.exists(path) else None


def unavailable_reason(options: RenderOptions) -> str | None:
    """None when rendering can work here, else why not (for not_checked and `doctor`)."""
    if importlib.util.find_spec("playwright") is None:
        return "未安装 Playwright（pip install playwright），无法渲染页面"
    if browser_path(options) is None:
        return "未安装 Chromium（apt-get install -y chromium fonts-noto-cjk），无法渲染页面"
    return None


class Renderer:
    """Use as `async with Renderer(options, in_scope, resources) as renderer:`."""

    def __init__(self, options: RenderOptions, in_scope: Callable[[str], bool],
                 resources: ResourceCache | None = None) -> None:
        self.options = options
        self.in_scope = in_scope
        self.resources = resources   # None: the browser gets the document and nothing else
        self._playwright: Any = None
        self._browser: Any = None
        self._slots = asyncio.Semaphore(max(1, options.max_contexts))
        self._contexts: list[tuple[Any, int]] = []   # (context, pages served)
        self._lock = asyncio.Lock()
        self._launching = asyncio.Lock()
        self._generation = 0            # browsers launched so far
        self._killed: set[int] = set()  # generations the watchdog killed
        # Marks this renderer's browser among others of the same process (sites audited at once).
        self._marker = f"--govaudit-browser={uuid.uuid4().hex}"

    async def __aenter__(self) -> Renderer:
        """The browser itself starts with the first page that needs it (a site that never
        does, or never answers, costs no browser)."""
        reason = unavailable_reason(self.options)
        if reason:
            raise RenderUnavailable(reason)
        return self

    async def _ensure_browser(self) -> None:
        """Launch the browser once, whichever of the concurrent pages asks first."""
        async with self._launching:
            if self._browser is None:
                await self._launch()

    async def _launch(self) -> None:
        if self._playwright is None:
            from playwright.async_api import async_playwright

            self._playwright = await async_playwright().start()
        args = [*_FLAGS, f"--js-flags=--max-old-space-size={self.options.js_heap_mb}", self._marker]
        if os.geteuid() == 0:
            args.append("--no-sandbox")
        try:
            self._browser = await self._playwright.chromium.launch(
                executable_path=browser_path(self.options), headless=True, args=args)
        except Exception as exc:
            raise RenderUnavailable(f"Chromium 无法启动：{exc}") from exc
        self._contexts = []
        self._generation += 1

    async def __aexit__(self, *exc: object) -> None:
        for context, _ in self._contexts:
            await _quietly(context.close())
        if self._browser is not None:
            await _quietly(self._browser.close())
        if self._playwright is not None:
            await _quietly(self._playwright.stop())

    async def render(self, url: str, document: str) -> Rendered:
        """The DOM after the scripts of `document` (the captured body of `url`) ran, within
        the page's budgets, or why there is none."""
        return await self._visit(url, document, screenshot=None)

    async def screenshot(self, url: str, document: str, path: Path, *, full_page: bool = False,
                         scroll_to_bottom: bool = False) -> Rendered:
        return await self._visit(url, document, screenshot=(path, full_page, scroll_to_bottom))

    async def _visit(self, url: str, document: str, screenshot: tuple[Path, bool, bool] | None) -> Rendered:
        encoded = document.encode("utf-8")
        visit = _Visit(url, encoded, screenshot is not None, self.options.max_render_bytes - len(encoded))
        async with self._slots:
            try:
                await self._ensure_browser()
            except RenderUnavailable as exc:
                return Rendered(url, None, str(exc))
            generation = self._generation
            context = await self._context()
            page = await context.new_page()
            await page.route("**/*", lambda route: self._filter(route, visit))
            watchdog = asyncio.create_task(self._watch_memory(generation))
            try:
                rendered = await asyncio.wait_for(self._load(page, visit, screenshot),
                                                  timeout=self.options.page_timeout_s + 5)
            except (TimeoutError, Exception) as exc:
                rendered = Rendered(url, None, f"渲染超时或失败：{type(exc).__name__}", tuple(visit.blocked))
            finally:
                watchdog.cancel()
                await asyncio.gather(watchdog, return_exceptions=True)
                await _quietly(asyncio.wait_for(page.close(), timeout=10))
            if generation in self._killed:
                await self._restart(generation)
                return Rendered(url, None, f"{OVER_BUDGET}（浏览器内存超过 {self.options.max_browser_memory_mb} MB）",
                                tuple(visit.blocked))
            if visit.over_budget and rendered.html is not None:
                return Rendered(url, None, f"{OVER_BUDGET}（页面及其资源超过 {self.options.max_render_bytes} 字节）",
                                tuple(visit.blocked))
            return rendered

    async def _watch_memory(self, generation: int) -> None:
        """Kill the browser's processes when together they use more than the ceiling."""
        ceiling = self.options.max_browser_memory_mb * 1024 * 1024
        while generation not in self._killed:
            await asyncio.sleep(_WATCH_INTERVAL_S)
            processes = browser_processes(self._marker)
            if sum(_memory_of(p) for p in processes) > ceiling:
                self._killed.add(generation)
                for process in processes:
                    _kill(process)
                return

    async def _restart(self, killed: int) -> None:
        """A fresh browser after the watchdog killed browser `killed` (once, however many
        pages were open in it)."""
        async with self._launching:
            if self._generation != killed:
                return
            for context, _ in self._contexts:
                await _quietly(asyncio.wait_for(context.close(), timeout=5))
            if self._browser is not None:
                await _quietly(asyncio.wait_for(self._browser.close(), timeout=5))
            self._browser = None
            try:
                await self._launch()
            except Exception:  # no browser now: the next page launches one or says why
                self._browser = None

    async def _load(self, page: Any, visit: _Visit, screenshot: tuple[Path, bool, bool] | None) -> Rendered:
        url = visit.url
        timeout_ms = self.options.page_timeout_s * 1000
        try:
            await page.goto(url, wait_until="load", timeout=timeout_ms)
            await page.wait_for_load_state("networkidle", timeout=min(timeout_ms, 3000))
        except Exception:  # still loading after the limit: keep what is there
            pass
        if screenshot is not None:
            path, full_page, scroll = screenshot
            path.parent.mkdir(parents=True, exist_ok=True)
            if scroll:
                await page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
            await page.screenshot(path=str(path), full_page=full_page, timeout=timeout_ms)
        html = await asyncio.wait_for(page.content(), timeout=self.options.page_timeout_s)
        return Rendered(url, html, None, tuple(visit.blocked))

    async def _context(self) -> Any:
        async with self._lock:
            for index, (context, served) in enumerate(self._contexts):
                if served < self.options.pages_per_context:
                    self._contexts[index] = (context, served + 1)
                    return context
            for context, _ in [c for c in self._contexts if c[1] >= self.options.pages_per_context]:
                await _quietly(context.close())
            self._contexts = [c for c in self._contexts if c[1] < self.options.pages_per_context]
            context = await self._browser.new_context(
                accept_downloads=False, locale="zh-CN", java_script_enabled=True,
                viewport={"width": self.options.viewport_width, "height": self.options.viewport_height},
                user_agent=self.options.user_agent or None)
            self._contexts.append((context, 1))
            return context

    async def _filter(self, route: Any, visit: _Visit) -> None:
        """Fulfil the request from what the crawler captured or fetches; refuse the rest."""
        request = route.request
        url = request.url
        if url.startswith("data:") or url == "about:blank":
            await route.continue_()
        elif request.is_navigation_request() and request.frame.parent_frame is None:
            if visit.document_served:   # a script leaving the audited page
                visit.blocked.append(url[:200])
                await route.abort()
            else:
                visit.document_served = True
                await route.fulfill(status=200, content_type="text/html; charset=utf-8", body=visit.document)
        elif not url.startswith(("http://", "https://")) or not self.in_scope(url):
            visit.blocked.append(url[:200])
            await route.abort()
        elif request.resource_type in _BLOCKED_TYPES and not visit.screenshot:
            await route.abort()
        else:
            await self._fulfil_resource(route, visit, url)

    async def _fulfil_resource(self, route: Any, visit: _Visit, url: str) -> None:
        resource = await self.resources.get(url) if self.resources is not None else None
        if resource is None:
            await route.abort()
            return
        if len(resource.body) > visit.budget:
            visit.over_budget = True
            await route.abort()
            return
        visit.budget -= len(resource.body)
        await route.fulfill(status=resource.status, content_type=resource.content_type, body=resource.body)


def browser_processes(marker: str | None = None) -> list[Any]:
    """The live Chromium processes this process started (through Playwright's driver); with
    `marker`, only those of the browser launched with that switch (and its children).
    Zombies (killed, not yet reaped) hold no memory and are left out."""
    try:
        children = psutil.Process().children(recursive=True)
    except psutil.Error:
        return []
    found = []
    for child in children:
        try:
            if "chrom" not in child.name().lower() or child.status() == psutil.STATUS_ZOMBIE:
                continue
            if marker is None:
                found.append(child)
            elif marker in child.cmdline():
                found.append(child)
                found.extend(child.children(recursive=True))
        except psutil.Error:
            continue
    return found


def _memory_of(process: Any) -> int:
    """Proportional set size (shared pages split between the processes sharing them)."""
    try:
        return int(process.memory_full_info().pss)
    except (psutil.Error, AttributeError):
        try:
            return int(process.memory_info().rss)
        except psutil.Error:
            return 0


def _kill(process: Any) -> None:
    try:
        process.kill()
    except psutil.Error:
        return


async def _quietly(awaitable: Any) -> None:
    try:
        await awaitable
    except Exception:
        return


_SCRIPT_MARKERS = ("$.ajax", "$.get(", "$.post(", "$.getjson", "fetch(", "xmlhttprequest", ".load(", "innerhtml",
                   "document.write", "insertadjacenthtml", "axios", "vue", "react")


def needs_render(tree: Any) -> bool:
    """Whether the static HTML (parsed: `tree`) probably lacks what script adds: little
    text, or scripts that write content (lists, footers) into the page."""
    scripts = list(tree.iter("script"))
    if not scripts:
        return False
    body = tree.find("body")
    text = "".join(body.xpath(".//text()[not(ancestor::script) and not(ancestor::style)]")) if body is not None else ""
    if len("".join(text.split())) < 200:
        return True
    code = " ".join((s.text or "") + " " + (s.get("src") or "") for s in scripts).lower()
    return any(marker in code for marker in _SCRIPT_MARKERS)
