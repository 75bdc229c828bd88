"""Hostile and broken sites: every case is a real local server behaviour. The audit must
finish within its limits, say what happened, and leave the other sites of a run unharmed."""

from __future__ import annotations

import dataclasses
import gzip
import re
import socket
import struct
import time

import pytest

from govaudit.config import Config
from govaudit.reports.document import SiteReport
from tests.conftest import TODAY, audit, fast_config
from tests.support.drip import dripping_server
from tests.support.pages import page
from tests.support.server import Reply, TestSite

pytestmark = pytest.mark.timeout(120)


def limited(**crawl: object) -> Config:
    config = fast_config()
    return config.replace(crawl=dataclasses.replace(config.crawl, **crawl),  # type: ignore[arg-type]
                          retry=dataclasses.replace(config.retry, request_deadline_s=3.0, timeout_s=2.0, retries=1))


def timed(url: str, config: Config) -> tuple[SiteReport, float]:
    started = time.monotonic()
    report = audit(url, config)
    return report, time.monotonic() - started


def test_calendar_trap_of_endless_unique_urls_is_recognised(site: TestSite) -> None:
    def calendar(method: str, path: str, headers: dict[str, str]) -> Reply:
        day = int(path.rsplit("/", 1)[-1] or 0) if path.rsplit("/", 1)[-1].isdigit() else 0
        return Reply(200, page(f"日历 {day}", f'<a href="/cal/{day + 1}">下一天</a><a href="/cal/{day + 2}">后天</a>').encode())
    site.route("/", calendar)
    for n in range(1000):
        site.route(f"/cal/{n}", calendar)
    report, seconds = timed(site.url("/"), limited(max_pages=40, max_depth=1000))
    assert len(report.snapshot.pages) < 40 and seconds < 30   # stopped by the trap, before the page limit
    (trap,) = [n for n in report.snapshot.notes if n.kind == "trap_url_family"]
    assert "/cal/#" in trap.detail and "陷阱" in trap.detail


def test_redirect_loop_and_long_chain(site: TestSite) -> None:
    site.page("/", page("首页", '<a href="/loop-a">环</a><a href="/hop/0">长链</a>'))
    site.redirect("/loop-a", "/loop-b")
    site.redirect("/loop-b", "/loop-a")
    for n in range(30):
        site.redirect(f"/hop/{n}", f"/hop/{n + 1}")
    report, _ = timed(site.url("/"), limited())
    errors = {u: p.fetch.error for u, p in report.snapshot.pages.items()}
    assert "RedirectLoop" in (errors[site.url("/loop-a")] or "")
    assert "TooManyRedirects" in (errors[site.url("/hop/0")] or "")
    assert site.requested("/hop/15") == 0  # stopped at the redirect limit


def test_huge_page_and_gzip_bomb_are_cut_at_the_byte_limit(site: TestSite) -> None:
    bomb = gzip.compress(b"<html><body>" + b"<p>" * 20_000_000)  # ~60 MB inflated, ~60 kB sent
    site.page("/", page("首页", '<a href="/huge.html">大</a><a href="/bomb.html">炸</a>'))
    site.route("/huge.html", Reply(200, b"<html><body>" + b"x" * 30_000_000))
    site.route("/bomb.html", Reply(200, bomb, headers={"Content-Encoding": "gzip"}))
    report, seconds = timed(site.url("/"), limited(max_page_bytes=1_000_000))
    for path in ("/huge.html", "/bomb.html"):
        fetched = report.snapshot.pages[site.url(path)]
        assert fetched.truncated and fetched.size_bytes <= 1_100_000 + 65_536
    assert seconds < 30


def test_trickling_server_is_cut_by_the_whole_request_deadline(site: TestSite) -> None:
    def trickle(out) -> None:  # type: ignore[no-untyped-def]
        out.write(b"<html><body>")
        for _ in range(60):
            out.write(b"x")
            out.flush()
            time.sleep(1)
    site.page("/", page("首页", '<a href="/slow.html">慢</a>'))
    site.route("/slow.html", Reply(200, writer=trickle))
    report, seconds = timed(site.url("/"), limited())
    slow = report.snapshot.pages[site.url("/slow.html")]
    assert "Deadline" in (slow.fetch.error or "") and seconds < 20


def test_connection_reset_mid_body(site: TestSite) -> None:
    def reset(out) -> None:  # type: ignore[no-untyped-def]
        out.write(b"<html><body>half a page")
        out.flush()
        sock = out.raw._sock if hasattr(out, "raw") else None  # noqa: SLF001
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()
    site.page("/", page("首页", '<a href="/reset.html">断</a>'))
    site.route("/reset.html", Reply(200, writer=reset, headers={"Content-Length": "100000"}))
    report, _ = timed(site.url("/"), limited())
    assert report.snapshot.pages[site.url("/reset.html")].fetch.error is not None
    assert report.verdict.verdict in ("合格", "不合格")


def test_deep_unclosed_html_and_ten_thousand_links(site: TestSite) -> None:
    deep = "<div>" * 20_000 + "深层内容" + "<table><tr><td>" * 2000
    many = "".join(f'<a href="/l{i}.html">{i}</a>' for i in range(10_000))
    site.page("/", page("首页", many + deep))
    report, seconds = timed(site.url("/"), limited(max_pages=5, max_links_checked=100))
    home = report.snapshot.homepage_page
    assert home is not None and len(home.links) >= 10_000
    assert len(report.snapshot.link_checks) <= 100 and seconds < 40
    assert any(n.kind == "limit_links" for n in report.snapshot.notes)


def test_garbage_and_huge_robots_txt(site: TestSite) -> None:
    site.route("/robots.txt", Reply(200, bytes(range(256)) * 4000, content_type="text/plain"))
    site.page("/", page("首页", '<a href="/a.html">a</a>'))
    site.page("/a.html", page("a"))
    report, _ = timed(site.url("/"), limited())
    assert site.url("/a.html") in report.snapshot.pages


def test_non_html_content_types_are_not_parsed(site: TestSite) -> None:
    site.page("/", page("首页", '<a href="/data.json">数据</a><a href="/x.bin">文件</a>'))
    site.route("/data.json", Reply(200, b'{"a": "<a href=/secret>"}', content_type="application/json"))
    site.route("/x.bin", Reply(200, b"\x00" * 1000, content_type="application/octet-stream"))
    report, _ = timed(site.url("/"), limited())
    assert site.requested("/secret") == 0
    assert not report.snapshot.pages[site.url("/data.json")].is_html
    assert report.snapshot.bodies.html(site.url("/data.json")) is None


def test_idn_and_percent_encoded_links(site: TestSite) -> None:
    site.page("/", page("首页", '<a href="/新闻/列表.html">中文路径</a><a href="/a%20b.html">空格</a>'))
    site.page("/%E6%96%B0%E9%97%BB/%E5%88%97%E8%A1%A8.html", page("列表"))
    site.page("/a%20b.html", page("空格"))
    report, _ = timed(site.url("/"), limited())
    assert report.snapshot.pages[site.url("/%E6%96%B0%E9%97%BB/%E5%88%97%E8%A1%A8.html")].fetch.ok
    assert report.snapshot.pages[site.url("/a%20b.html")].fetch.ok


def test_one_hostile_site_leaves_the_others_of_a_run_unharmed(site: TestSite, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from govaudit.config import SiteConfig
    from govaudit.inspection import inspect_sites

    with TestSite() as good:
        good.page("/", page("正常网站"))
        site.route("/", Reply(200, b"\xff\xfe" + b"<" * 100_000, content_type="text/html; charset=utf-16"))
        result = inspect_sites(limited(), [SiteConfig(name="坏", url=site.url("/")), SiteConfig(name="好", url=good.url("/"))],
                               store_path=tmp_path / "s.sqlite", today=TODAY)
    verdicts = {e["name"]: e["verdict"] for e in result.document["sites"]}  # type: ignore[index]
    assert set(verdicts) == {"坏", "好"} and verdicts["好"] in ("合格", "不合格")


def test_unwritable_output_is_a_clear_error_and_results_are_kept(site: TestSite, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from govaudit.cli import main
    from govaudit.store import Store

    site.page("/", page("首页"))
    blocker = tmp_path / "out"
    blocker.write_text("a file where the report folder should be", encoding="utf-8")
    config = tmp_path / "config.toml"
    config.write_text('[render]\nmode = "never"\n[politeness]\nmin_interval_s = 0\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["inspect", site.url("/"), "--config", str(config), "--out", str(blocker / "reports")])
    assert result.exit_code == 1
    assert "无法写入报告或数据库" in result.output and "已完成的网站结果保存在数据库中" in result.output
    with Store(tmp_path / "govaudit.sqlite") as store:
        (run,) = store.runs()
        assert store.sites_done(run["id"]) == ["127.0.0.1"] and store.integrity_ok()


def test_session_id_trap_fetches_each_page_once(site: TestSite) -> None:
    counter = iter(range(10**6))

    def with_fresh_sids(method: str, path: str, headers: dict[str, str]) -> Reply:
        links = "".join(f'<a href="/p{n}.jsp;jsessionid={next(counter)}?sid={next(counter)}">第{n}页栏目</a>'
                        for n in range(5))
        return Reply(200, page(f"页面 {path}", links).encode())
    for path in ["/", *(f"/p{n}.jsp" for n in range(5))]:
        site.route(path, with_fresh_sids)
    report, seconds = timed(site.url("/"), limited(max_pages=200, max_depth=50))
    assert sorted(report.snapshot.pages) == sorted(site.url(p) for p in ["/", *(f"/p{n}.jsp" for n in range(5))])
    assert all(site.requested(f"/p{n}.jsp", "GET") == 1 for n in range(5)) and seconds < 30


def test_same_body_under_many_urls_is_read_once(site: TestSite) -> None:
    body = page("通知公告", "".join(f'<a href="/list?page={n}">第{n}页</a>' for n in range(30))).encode()
    site.page("/", page("首页", '<a href="/list?page=0">通知公告</a>'))
    site.route("/list", Reply(200, body))   # the server ignores ?page=
    report, _ = timed(site.url("/"), limited(max_pages=100))
    read = [p for url, p in report.snapshot.pages.items() if "/list" in url and p.is_html]
    assert len(read) == 1
    (note,) = [n for n in report.snapshot.notes if n.kind == "trap_duplicates"]
    assert "完全相同" in note.detail and len(note.urls) >= 29


def test_dripping_server_is_abandoned_below_the_speed_floor() -> None:
    """One byte every 0.3 s, robots.txt included, status line and all: each try ends when the
    speed window closes, and the site is unreachable with each try's cause."""
    config = limited()
    config = config.replace(retry=dataclasses.replace(config.retry, request_deadline_s=60.0, timeout_s=10.0,
                                                      speed_limit_bytes_s=100, speed_time_s=1.5))
    with dripping_server(0.3) as port:
        report, seconds = timed(f"http://127.0.0.1:{port}/", config)
    (unreachable,) = [f for f in report.results.findings if f.rule == "site.unreachable"]
    assert all("SlowTransfer" in (a["error"] or "") for a in unreachable.evidence["attempts"])
    assert "传输过慢" in unreachable.evidence["seen"] and seconds < 30


def test_a_page_of_20000_links_ends_within_the_budget_and_counts_the_rest(site: TestSite) -> None:
    links = "".join(f'<a href="/files/{n}.pdf">附件{n}</a>' for n in range(20_000))
    site.page("/", page("首页", links))
    config = limited(max_site_seconds=15.0)
    report, seconds = timed(site.url("/"), config)
    assert seconds < 15 + 10
    checked = len(report.snapshot.link_checks)
    notes = [n for n in report.results.not_checked if n.rule == "links.dead"]
    said = " ".join(n.reason for n in notes)
    assert checked < 20_000 and "未检查" in said
    counted = sum(int(m) for m in re.findall(r"另有 (\d+) 个", said))
    assert checked + counted >= 20_000 - 5   # every link is either checked or counted as not
