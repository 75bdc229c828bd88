"""The browser sees exactly what was audited, within the audit's budgets: it is handed the
captured (cut) document and the crawler's copies of in-scope resources, never fetches
anything itself, and a page that outgrows its budget is stopped and reported. Skipped when
Chromium is missing."""

from __future__ import annotations

import dataclasses
import gzip
import time

import psutil
import pytest

from govaudit.config import Config, RenderOptions
from govaudit.crawler.render import OVER_BUDGET, browser_processes, unavailable_reason
from tests.conftest import audit, fast_config
from tests.support.pages import page
from tests.support.server import Reply, TestSite

pytestmark = [pytest.mark.skipif(unavailable_reason(RenderOptions()) is not None,
                                 reason=unavailable_reason(RenderOptions()) or ""),
              pytest.mark.timeout(120)]

LIST_JS = "document.getElementById('list').innerHTML = '<li>由脚本写入的条目</li>';"


def _rendering(**render: object) -> Config:
    config = fast_config()
    config = config.replace(crawl=dataclasses.replace(config.crawl, max_page_bytes=1_000_000))
    return config.replace(render=dataclasses.replace(RenderOptions(), mode="always", **render))  # type: ignore[arg-type]


def test_the_browser_renders_the_captured_bytes_and_fetches_nothing_itself(site: TestSite) -> None:
    site.page("/", page("首页", '<a href="/a.html">甲</a><a href="/b.html">乙</a>'))
    first = page("版本甲", f"<ul id='list'></ul><link rel='stylesheet' href='/s.css'><script>{LIST_JS}</script>")
    later = page("版本乙", "<p>之后改过的页面</p>")
    site.route("/a.html", [Reply(200, first.encode()), Reply(200, later.encode())])
    site.page("/b.html", page("乙", "<link rel='stylesheet' href='/s.css'><p>另一页</p>"))
    site.route("/s.css", Reply(200, b"body{color:#333}", content_type="text/css"))
    report = audit(site.url("/"), _rendering())
    rendered = report.snapshot.pages[site.url("/a.html")]
    dom = report.snapshot.bodies.document(site.url("/a.html")) or ""
    assert rendered.rendered and "由脚本写入的条目" in dom
    assert "版本甲" in dom and "版本乙" not in dom
    assert site.requested("/a.html", "GET") == 1      # the crawler's fetch only
    assert site.requested("/s.css", "GET") == 1       # one copy for both pages


@pytest.mark.parametrize("kind", ["huge", "gzip_bomb"])
def test_an_oversized_page_is_rendered_as_it_was_cut(site: TestSite, kind: str) -> None:
    chunk = ("<p>" + "政务公开" * 2000 + "</p>").encode()

    def endless(out) -> None:  # type: ignore[no-untyped-def]
        out.write(b"<html><head><title>\xe5\xa4\xa7</title></head><body>")
        for _ in range(20_000):   # 320 MB if anyone read it all
            out.write(chunk)
    site.page("/", page("首页", '<a href="/big.html">大页面</a>'))
    if kind == "huge":
        site.route("/big.html", Reply(200, writer=endless))
    else:
        bomb = gzip.compress(b"<html><body>" + b"<p>x</p>" * 25_000_000, compresslevel=9)
        site.route("/big.html", Reply(200, bomb, headers={"Content-Encoding": "gzip"}))
    started = time.monotonic()
    report = audit(site.url("/"), _rendering())
    big = report.snapshot.pages[site.url("/big.html")]
    assert big.truncated and big.size_bytes <= 1_000_000 + 65_536
    if big.rendered:   # the cut page, laid out
        assert len(report.snapshot.bodies.document(big.url) or "") < 3_000_000
    else:              # or, 125,000 elements in that cut megabyte: stopped at the memory ceiling, and said so
        assert OVER_BUDGET in (big.render_error or "")
    assert kind == "gzip_bomb" or big.rendered
    assert site.requested("/big.html", "GET") == 1 and time.monotonic() - started < 60
    assert browser_processes() == []


def test_a_script_that_eats_memory_is_stopped_and_reported(site: TestSite) -> None:
    hog = "<script>const keep = []; while (true) { keep.push(new Array(1000000).fill(7)); }</script>"
    site.page("/", page("首页", '<a href="/hog.html">吃内存</a><a href="/ok.html">正常</a>'))
    site.page("/hog.html", page("吃内存", hog))
    site.page("/ok.html", page("正常", f"<ul id='list'></ul><script>{LIST_JS}</script>"))
    report = audit(site.url("/"), _rendering(js_heap_mb=64, page_timeout_s=10.0))
    hog_page = report.snapshot.pages[site.url("/hog.html")]
    assert not hog_page.rendered and hog_page.render_error
    assert report.snapshot.pages[site.url("/ok.html")].rendered   # the audit went on
    assert browser_processes() == []                             # and left no browser behind


def test_the_memory_watchdog_kills_the_browser_and_a_fresh_one_follows(site: TestSite) -> None:
    site.page("/", page("首页", '<a href="/a.html">甲</a>'))
    site.page("/a.html", page("甲", f"<ul id='list'></ul><script>{LIST_JS}</script>"))
    report = audit(site.url("/"), _rendering(max_browser_memory_mb=1))   # any browser is over this
    for url in (site.url("/"), site.url("/a.html")):
        rendered = report.snapshot.pages[url]
        assert not rendered.rendered and OVER_BUDGET in (rendered.render_error or "")
    assert browser_processes() == []


def _has_switch(process: psutil.Process, marker: str) -> bool:
    try:
        return marker in process.cmdline()
    except psutil.Error:   # (it ended between the listing and this look)
        return False


def test_pages_rendered_at_once_share_one_browser() -> None:
    import asyncio

    from govaudit.crawler.render import Renderer

    async def render_two() -> int:
        options = dataclasses.replace(RenderOptions(), max_contexts=2)
        async with Renderer(options, lambda url: url.startswith("http://www.a-test.gov.cn/")) as renderer:
            done = await asyncio.gather(*(renderer.render(f"http://www.a-test.gov.cn/{n}.html",
                                                           f"<html><body><p>{n}</p></body></html>") for n in range(4)))
            assert all(r.html is not None and r.error is None for r in done)
            return sum(1 for p in browser_processes() if _has_switch(p, renderer._marker))
    assert asyncio.run(render_two()) == 1
    assert browser_processes() == []
