"""Rendering pages in a real browser: Playwright driving Debian's Chromium.

A bounded pool of browser contexts, each recycled after a number of pages; a time limit per
page (a script that never ends is cut, its page closed); images, fonts and media blocked
unless a screenshot is wanted; every request outside the audit's scope refused by route
interception; downloads refused. Host names resolve to the addresses the crawl used
(Chromium's --host-resolver-rules), so the browser sees the same servers the crawler saw.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govaudit.config import RenderOptions

_BLOCKED_TYPES = {"image", "font", "media"}
_FLAGS = ["--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
          "--disable-component-update", "--disable-sync", "--disable-default-apps", "--mute-audio"]


class RenderUnavailable(Exception):
    """No browser to render with; the message says what is missing, in Chinese."""


@dataclass(frozen=True)
class Rendered:
    url: str
    html: str | None
    error: str | None = None
    blocked: tuple[str, ...] = ()     # requests refused (outside the audit's scope)


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
    """Use as `async with Renderer(options, in_scope, host_map) as renderer:`."""

    def __init__(self, options: RenderOptions, in_scope: Callable[[str], bool],
                 host_map: dict[str, list[str]] | None = None) -> None:
        self.options = options
        self.in_scope = in_scope
        self.host_map = host_map or {}
        self._playwright: Any = None
        self._browser: Any = None
        self._slots = asyncio.Semaphore(max(1, options.max_contexts))
        self._contexts: list[tuple[Any, int]] = []   # (context, pages served)
        self._lock = asyncio.Lock()

    async def __aenter__(self) -> Renderer:
        reason = unavailable_reason(self.options)
        if reason:
            raise RenderUnavailable(reason)
        from playwright.async_api import async_playwright

        self._playwright = await async_playwright().start()
        args = list(_FLAGS)
        if os.geteuid() == 0:
            args.append("--no-sandbox")
        rules = ", ".join(f"MAP {host} {_bracket(addrs[0])}" for host, addrs in self.host_map.items() if addrs)
        if rules:
            args.append(f"--host-resolver-rules={rules}")
        try:
            self._browser = await self._playwright.chromium.launch(
                executable_path=browser_path(self.options), headless=True, args=args)
        except Exception as exc:
            await self._playwright.stop()
            raise RenderUnavailable(f"Chromium 无法启动：{exc}") from exc
        return self

    async def __aexit__(self, *exc: object) -> None:
        for context, _ in self._contexts:
            await _quietly(context.close())
        if self._browser is not None:
            await _quietly(self._browser.close())
        if self._playwright is not None:
            await _quietly(self._playwright.stop())

    async def render(self, url: str) -> Rendered:
        """The DOM after scripts ran (within the time limit), or why there is none."""
        return await self._visit(url, screenshot=None)

    async def screenshot(self, url: str, path: Path, *, full_page: bool = False,
                         scroll_to_bottom: bool = False) -> Rendered:
        return await self._visit(url, screenshot=(path, full_page, scroll_to_bottom))

    async def _visit(self, url: str, screenshot: tuple[Path, bool, bool] | None) -> Rendered:
        async with self._slots:
            context = await self._context()
            page = await context.new_page()
            blocked: list[str] = []
            await page.route("**/*", lambda route: self._filter(route, blocked, screenshot is not None))
            try:
                return await asyncio.wait_for(self._load(page, url, screenshot, blocked),
                                              timeout=self.options.page_timeout_s + 5)
            except (asyncio.TimeoutError, Exception) as exc:
                return Rendered(url, None, f"渲染超时或失败：{type(exc).__name__}", tuple(blocked))
            finally:
                await _quietly(asyncio.wait_for(page.close(), timeout=10))

    async def _load(self, page: Any, url: str, screenshot: tuple[Path, bool, bool] | None,
                    blocked: list[str]) -> Rendered:
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
        return Rendered(url, html, None, tuple(blocked))

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

    async def _filter(self, route: Any, blocked: list[str], screenshot: bool) -> None:
        request = route.request
        url = request.url
        if url.startswith("data:") or url == "about:blank":
            await route.continue_()
        elif not url.startswith(("http://", "https://")) or not self.in_scope(url):
            blocked.append(url[:200])
            await route.abort()
        elif request.resource_type in _BLOCKED_TYPES and not screenshot:
            await route.abort()
        else:
            await route.continue_()


def _bracket(address: str) -> str:
    return f"[{address}]" if ":" in address else address


async def _quietly(awaitable: Any) -> None:
    try:
        await awaitable
    except Exception:
        return


_SCRIPT_MARKERS = ("$.ajax", "$.get(", "$.post(", "$.getjson", "fetch(", "xmlhttprequest", ".load(", "innerhtml",
                   "document.write", "insertadjacenthtml", "axios", "vue", "react")


def needs_render(page: Any) -> bool:
    """Whether the static HTML probably lacks what script adds: little text, or scripts that
    write content (lists, footers) into the page."""
    tree = page.tree
    if tree is None:
        return False
    scripts = list(tree.iter("script"))
    if not scripts:
        return False
    body = tree.find("body")
    text = "".join(body.xpath(".//text()[not(ancestor::script) and not(ancestor::style)]")) if body is not None else ""
    if len("".join(text.split())) < 200:
        return True
    code = " ".join((s.text or "") + " " + (s.get("src") or "") for s in scripts).lower()
    return any(marker in code for marker in _SCRIPT_MARKERS)
