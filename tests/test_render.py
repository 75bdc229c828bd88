"""Rendering in Chromium (Playwright): script-built lists and footers judged only when rendered,
the time limit, requests outside the audit's scope refused, screenshots with real Chinese
glyphs, the HTML report opening cleanly in the browser. Skipped when Chromium is missing."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from pathlib import Path

import pytest

from govaudit.config import RenderOptions
from govaudit.crawler.render import Renderer, unavailable_reason
from tests.conftest import audit, fast_config, inspect_into
from tests.support.pages import FOOTER_PARTS, page
from tests.support.server import Reply, TestSite

pytestmark = pytest.mark.skipif(unavailable_reason(RenderOptions()) is not None,
                                reason=unavailable_reason(RenderOptions()) or "")

FOOTER_JS = "document.getElementById('footer').innerHTML = " + repr("<br>".join(FOOTER_PARTS.values())) + ";"


def script_built_site(site: TestSite) -> None:
    """News list, footer and 年报 link exist only after the page's script ran."""
    list_js = ("document.getElementById('list').innerHTML = '<li><a href=\"/xw/1.html\">高新区召开政务公开推进会议"
               "</a><span>2026-10-01</span></li><li><a href=\"/nb/2025.html\">2025年政府信息公开工作年度报告</a></li>';")
    shell = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>新闻动态</title></head><body>"
             "<ul id='list'></ul><div id='footer'></div>"
             f"<script>{list_js}{FOOTER_JS}</script></body></html>")
    site.page("/", page("首页", '<a href="/xw/index.html">新闻动态</a>'))
    site.page("/xw/index.html", shell)
    site.page("/xw/1.html", page("会议", "<p>正文</p>"))


def _config(mode: str, **render: object):  # type: ignore[no-untyped-def]
    config = fast_config()
    return config.replace(render=dataclasses.replace(RenderOptions(), mode=mode, **render))  # type: ignore[arg-type]


def test_script_built_page_is_judged_only_when_rendered(site: TestSite) -> None:
    script_built_site(site)
    never = audit(site.url("/"), _config("never"))
    assert not [f for f in never.results.findings if f.rule in ("columns.stale", "identity.conac")]
    reasons = " ".join(n.reason for n in never.results.not_checked)
    assert "脚本" in reasons
    auto = audit(site.url("/"), _config("auto"))
    listing = auto.snapshot.pages[site.url("/xw/index.html")]
    assert listing.rendered and site.url("/nb/2025.html") in {link.url for link in listing.links}
    (stale,) = [f for f in auto.results.findings if f.rule == "columns.stale"]
    assert stale.evidence["newest_date"] == "2026-10-01" and stale.evidence["view"] == "浏览器渲染后的页面"
    assert not [f for f in auto.results.findings if f.rule.startswith("identity.")]
    assert not auto.snapshot.pages[site.url("/")].rendered  # a plain page is not rendered in auto mode


def test_endless_script_is_cut_by_the_time_limit(site: TestSite) -> None:
    site.page("/", page("首页", '<a href="/loop.html">循环</a>'))
    site.page("/loop.html", "<html><body><script>while (true) {}</script></body></html>")
    started = time.monotonic()
    report = audit(site.url("/"), _config("auto", page_timeout_s=2.0))
    assert time.monotonic() - started < 30
    loop = report.snapshot.pages[site.url("/loop.html")]
    assert not loop.rendered and loop.render_error


def test_requests_outside_the_scope_are_refused(site: TestSite) -> None:
    with TestSite("127.0.0.2") as outside:
        beacon = outside.url("/beacon.png")
        site.page("/", page("首页", '<a href="/p.html">页</a>'))
        site.page("/p.html", "<html><body><p>页面</p>"
                             f"<img src='{beacon}'><script>fetch('{outside.url('/x')}');"
                             "document.body.insertAdjacentHTML('beforeend', '<p>脚本内容</p>');</script></body></html>")
        report = audit(site.url("/"), _config("always"))
        assert report.snapshot.pages[site.url("/p.html")].rendered
        assert outside.hits == []


@pytest.fixture(scope="module")
def renderer_pages(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """One browser shared by the tests below."""
    document = ("<html><head><meta charset='utf-8'></head><body style='margin:0'>"
                "<div id='a' style='font-size:120px;line-height:1'>政</div>"
                "<div id='b' style='font-size:120px;line-height:1'>务</div></body></html>")
    folder = tmp_path_factory.mktemp("shots")

    async def shoot() -> tuple[Path, dict[str, object]]:
        options = dataclasses.replace(RenderOptions(), viewport_width=800, viewport_height=600)
        # No server at all: the captured document is all the browser gets.
        async with Renderer(options, lambda u: u.startswith("http://www.zh-test.gov.cn/")) as renderer:
            path = folder / "zh.png"
            rendered = await renderer.screenshot("http://www.zh-test.gov.cn/zh.html", document, path)
            return path, {"error": rendered.error}

    yield asyncio.run(shoot())


def test_screenshot_is_a_png_of_the_viewport_with_real_chinese_glyphs(renderer_pages) -> None:  # type: ignore[no-untyped-def]
    from PIL import Image, ImageChops

    path, info = renderer_pages
    assert info["error"] is None
    with Image.open(path) as image:
        assert image.format == "PNG" and image.size == (800, 600)
        first = image.crop((0, 0, 130, 120)).convert("L")
        second = image.crop((0, 120, 130, 240)).convert("L")
        assert first.getextrema()[0] < 100  # something dark was drawn
        # Without CJK fonts both characters are the same empty box; with them they differ.
        assert ImageChops.difference(first, second).getbbox() is not None


def test_report_opens_cleanly_in_chromium(site: TestSite, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    from govaudit.config import SiteConfig

    hostile_footer = ("<div class='footer'>&lt;img src=x onerror=alert(3)&gt; javascript:alert(4) "
                      "&lt;style&gt;body{display:none}&lt;/style&gt;<a href='javascript:alert(5)'>点我</a></div>")
    site.page("/", page("首页<script>alert(1)</script><img src=x onerror=alert(2)>", '<a href="/gone.html">旧</a>',
                        foot=hostile_footer))
    site.fallback = Reply(
        200, page("<svg onload=alert(6)>soft404</svg>").encode())
    inspect_into(fast_config(), [SiteConfig(name="测试站", url=site.url("/"))], tmp_path / "out", tmp_path / "s.sqlite")
    report = (tmp_path / "out" / "report.html").resolve()
    html = report.read_text("utf-8")
    assert "onerror=alert(3)" in html and "<img src=x" not in html and 'href="javascript:' not in html
    messages: list[str] = []
    requests: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=_chromium(), args=["--no-sandbox", "--disable-gpu",
                                                                                 "--disable-background-networking"])
        try:
            view = browser.new_page()
            view.on("console", lambda m: messages.append(f"{m.type}: {m.text}"))
            view.on("pageerror", lambda e: messages.append(f"error: {e}"))
            view.on("dialog", lambda d: messages.append("dialog opened") or d.dismiss())
            view.on("request", lambda r: requests.append(r.url))
            view.goto(report.as_uri())
            view.click("details summary")  # the evidence folds open
            assert view.is_visible("table")
            view.screenshot(path=str(tmp_path / "report.png"), full_page=True)
        finally:
            browser.close()
    assert [m for m in messages if m.startswith(("error", "dialog"))] == []
    assert requests == [report.as_uri()]
    assert (tmp_path / "report.png").stat().st_size > 10_000


def test_without_chromium_the_audit_runs_and_says_why(site: TestSite) -> None:
    script_built_site(site)
    report = audit(site.url("/"), _config("auto", chromium_path="/nonexistent/chromium"))
    assert any(n.kind == "render_unavailable" for n in report.snapshot.notes)
    reasons = " ".join(n.reason for n in report.results.not_checked if n.rule == "columns.stale")
    assert "Chromium" in reasons


def _chromium() -> str:
    from govaudit.crawler.render import browser_path

    path = browser_path(RenderOptions())
    assert path is not None
    return path
