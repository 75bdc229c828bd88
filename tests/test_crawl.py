"""The crawler against real loopback servers: encodings, redirects, retries, robots, IPv6."""

from __future__ import annotations

import dataclasses
import time

from tests.conftest import audit, fast_config, rules_found
from tests.support.pages import page
from tests.support.server import Reply, TestSite

GBK_TITLE = "高新区政务公开工作推进会"
# 镕 is in GBK but not in GB2312: a page labelled gb2312 must still read it.
GBK_ONLY_TEXT = "朱镕基同志题词"


def test_gbk_page_with_declared_charset(site: TestSite) -> None:
    site.page("/", page(GBK_TITLE, f"<p>{GBK_ONLY_TEXT}</p>", charset="gb2312"),
              encoding="gbk", charset="gb2312")
    report = audit(site.url("/"))
    home = report.snapshot.homepage_page
    assert home is not None and home.title.startswith(GBK_TITLE)
    assert GBK_ONLY_TEXT in (report.snapshot.bodies.html(home.url) or "")
    assert home.encoding == "gb18030" and home.encoding_source == "header"


def test_gbk_page_without_any_declared_charset_is_detected(site: TestSite) -> None:
    body = "".join(f"<p>第{i}条 各单位要按照政府信息公开条例的规定，及时公开政府信息，接受社会监督。</p>" for i in range(20))
    site.page("/", page(GBK_TITLE, body, charset=None), encoding="gbk", charset=None)
    report = audit(site.url("/"))
    home = report.snapshot.homepage_page
    assert home is not None and home.title.startswith(GBK_TITLE)
    assert home.encoding_source == "detected"
    assert "\ufffd" not in (report.snapshot.bodies.html(home.url) or "")


def test_meta_charset_is_used_when_header_has_none(site: TestSite) -> None:
    site.page("/", page(GBK_TITLE, charset="gbk"), encoding="gbk", charset=None)
    home = audit(site.url("/")).snapshot.homepage_page
    assert home is not None and home.encoding_source == "meta" and home.title.startswith(GBK_TITLE)


def test_invalid_bytes_never_crash(site: TestSite) -> None:
    site.route("/", Reply(200, b"<html><head><title>\xff\xfe\x81</title></head><body>\x80\x81\xfe</body></html>",
                          content_type="text/html; charset=no-such-charset"))
    report = audit(site.url("/"))
    assert report.snapshot.homepage_page is not None
    assert report.verdict.verdict in ("合格", "不合格")


def test_redirect_chain_is_recorded_hop_by_hop(site: TestSite) -> None:
    site.page("/", page("首页", '<a href="/old/a.html">旧地址</a>'))
    site.redirect("/old/a.html", "/mid/b.html", 302)
    site.redirect("/mid/b.html", "/new/c.html", 301)
    site.page("/new/c.html", page("新页面"))
    report = audit(site.url("/"))
    moved = report.snapshot.pages[site.url("/old/a.html")]
    assert [(h.url, h.status) for h in moved.fetch.redirects] == [
        (site.url("/old/a.html"), 302), (site.url("/mid/b.html"), 301)]
    assert moved.fetch.final_url == site.url("/new/c.html") and moved.fetch.status == 200
    assert "links.dead" not in rules_found(report)


def test_head_405_falls_back_to_get(site: TestSite) -> None:
    site.page("/", page("首页", '<a href="/files/form.doc">申请表</a>'))
    site.route("/files/form.doc", lambda method, path, headers: Reply(405) if method == "HEAD"
               else Reply(200, b"doc", content_type="application/msword"))
    report = audit(site.url("/"))
    check = report.snapshot.link_checks[site.url("/files/form.doc")]
    assert check.status == 200 and check.method == "HEAD→GET"
    assert [a.method for a in check.attempts] == ["HEAD", "GET"]
    assert "links.dead" not in rules_found(report)


def test_503_then_200_is_retried_and_alive(site: TestSite) -> None:
    site.page("/", page("首页", '<a href="/news.html">新闻</a>'))
    site.route("/news.html", [Reply(503), Reply(200, page("新闻").encode())])
    report = audit(site.url("/"))
    news = report.snapshot.pages[site.url("/news.html")]
    assert news.fetch.status == 200
    assert [a.status for a in news.fetch.attempts] == [503, 200]
    assert "links.dead" not in rules_found(report)


def test_429_with_retry_after_is_honoured(site: TestSite) -> None:
    site.page("/", page("首页", '<a href="/list.html">列表</a>'))
    site.route("/list.html", [Reply(429, headers={"Retry-After": "1"}), Reply(200, page("列表").encode())])
    started = time.monotonic()
    report = audit(site.url("/"))
    listing = report.snapshot.pages[site.url("/list.html")]
    assert listing.fetch.status == 200
    assert listing.fetch.attempts[0].status == 429 and listing.fetch.attempts[0].retry_after_s == 1.0
    assert time.monotonic() - started >= 1.0
    assert "links.dead" not in rules_found(report)


def test_persistent_429_is_inconclusive_not_dead(site: TestSite) -> None:
    site.page("/", page("首页", '<a href="/busy.html">忙</a>'))
    site.route("/busy.html", Reply(429, headers={"Retry-After": "0"}))
    report = audit(site.url("/"))
    assert "links.dead" not in rules_found(report)
    assert any(n.rule == "links.dead" and n.url == site.url("/busy.html") for n in report.results.not_checked)


def test_robots_disallowed_urls_are_never_fetched(site: TestSite) -> None:
    site.route("/robots.txt", Reply(200, b"User-agent: *\nDisallow: /private/\n", content_type="text/plain"))
    site.page("/", page("首页", '<a href="/private/a.html">内部</a><img src="/private/b.png"><a href="/open.html">公开</a>'))
    site.page("/open.html", page("公开"))
    report = audit(site.url("/"))
    assert not any(path.startswith("/private/") for _, path in site.hits)
    assert site.requested("/open.html") == 1
    assert "links.dead" not in rules_found(report)
    assert any("robots.txt" in n.reason for n in report.results.not_checked)


def test_robots_crawl_delay_spaces_requests(site: TestSite) -> None:
    site.route("/robots.txt", Reply(200, b"User-agent: *\nCrawl-delay: 0.3\n", content_type="text/plain"))
    site.page("/", page("首页", '<a href="/a.html">a</a><a href="/b.html">b</a>'))
    site.page("/a.html", page("a"))
    site.page("/b.html", page("b"))
    started = time.monotonic()
    audit(site.url("/"))
    # robots, /, /a, /b, probe: four intervals at least
    assert time.monotonic() - started >= 4 * 0.3 - 0.05


def test_user_agent_names_govaudit_with_contact(site: TestSite) -> None:
    seen: list[str] = []

    def capture(method: str, path: str, headers: dict[str, str]) -> Reply:
        seen.append(headers.get("User-Agent", ""))
        return Reply(200, page("首页").encode())

    site.route("/", capture)
    audit(site.url("/"))
    assert seen and "govaudit/" in seen[0] and "+http" in seen[0]


def test_site_on_ipv6_loopback(site6: TestSite) -> None:
    site6.page("/", page("首页", '<a href="/a.html">a</a>'))
    site6.page("/a.html", page("a"))
    report = audit(site6.url("/"))
    assert report.snapshot.homepage is not None and report.snapshot.homepage.ok
    assert site6.url("/a.html") in report.snapshot.pages


def test_page_limit_is_respected_and_said(site: TestSite) -> None:
    links = "".join(f'<a href="/p{i}.html">{i}</a>' for i in range(10))
    site.page("/", page("首页", links))
    for i in range(10):
        site.page(f"/p{i}.html", page(str(i)))
    config = fast_config()
    config = config.replace(crawl=dataclasses.replace(config.crawl, max_pages=4))
    report = audit(site.url("/"), config)
    assert len(report.snapshot.pages) == 4
    assert any(n.kind == "limit_pages" for n in report.snapshot.notes)
    # pages beyond the limit are still link-checked, never silently dropped
    unfetched = {site.url(f"/p{i}.html") for i in range(10)} - set(report.snapshot.pages)
    assert len(unfetched) == 7 and unfetched <= set(report.snapshot.link_checks)


def test_javascript_mailto_tel_and_fragments_are_not_fetched(site: TestSite) -> None:
    site.page("/", page("首页", '<a href="javascript:void(0)">打印</a><a href="mailto:a@b.gov.cn">邮箱</a>'
                        '<a href="tel:12345">热线</a><a href="#top">顶部</a><a href="">空</a>'))
    report = audit(site.url("/"))
    fetched = {path for _, path in site.hits if "govaudit-probe" not in path}
    assert fetched == {"/", "/robots.txt", "/images/red.png"}
    skipped = {scheme for _, scheme in report.snapshot.homepage_page.skipped_links}  # type: ignore[union-attr]
    assert skipped == {"javascript", "mailto", "tel"}
    assert "links.dead" not in rules_found(report)


def test_robots_5xx_means_homepage_only(site: TestSite) -> None:
    site.route("/robots.txt", Reply(503))
    site.page("/", page("首页", '<a href="/a.html">a</a>'))
    site.page("/a.html", page("a"))
    report = audit(site.url("/"))
    assert report.snapshot.homepage is not None and report.snapshot.homepage.ok
    assert site.requested("/a.html") == 0
    assert any(n.kind == "robots_unavailable" for n in report.snapshot.notes)
    assert "links.dead" not in rules_found(report)
    assert any(n.rule == "links.dead" and "RFC 9309" in n.reason for n in report.results.not_checked)
