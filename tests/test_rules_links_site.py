"""links.dead and the site.* rules on real loopback sites."""

from __future__ import annotations

import dataclasses
import socket

import pytest

from govaudit.crawler.failures import Failure
from govaudit.crawler.snapshot import FetchOutcome
from tests.conftest import audit, fast_config, rules_found
from tests.support.pages import page
from tests.support.server import Reply, TestSite


def _dead(report, link):  # type: ignore[no-untyped-def]
    return [f for f in report.results.findings if f.rule == "links.dead" and f.evidence["link"] == link]


def test_dead_internal_link_from_two_pages_is_one_finding_listing_both(site: TestSite) -> None:
    site.page("/", page("首页", '<a href="/a.html">a</a><a href="/gone.html">旧专题</a>'))
    site.page("/a.html", page("a", '<a href="/gone.html">旧专题</a>'))
    report = audit(site.url("/"))
    (finding,) = _dead(report, site.url("/gone.html"))
    assert set(finding.evidence["linked_from"]) == {site.url("/"), site.url("/a.html")}
    assert finding.evidence["on_homepage"] is True and finding.on_homepage
    assert finding.evidence["internal"] is True and finding.evidence["status"] == 404
    assert finding.url == site.url("/")
    assert "404" in finding.message


def test_dead_link_only_on_inner_page_is_not_on_homepage(site: TestSite) -> None:
    site.page("/", page("首页", '<a href="/a.html">a</a>'))
    site.page("/a.html", page("a", '<img src="/img/lost.jpg">'))
    report = audit(site.url("/"))
    (finding,) = _dead(report, site.url("/img/lost.jpg"))
    assert finding.evidence["on_homepage"] is False and finding.evidence["kind"] == "resource"
    assert finding.evidence["linked_from"] == [site.url("/a.html")]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_external_dead_link_is_retried_then_reported(site: TestSite) -> None:
    dead = f"http://127.0.0.1:{_closed_port()}/partner/"
    site.page("/", page("首页", f'<a href="{dead}">合作单位</a>'))
    config = fast_config()
    config = config.replace(crawl=dataclasses.replace(config.crawl, check_external_links=True))
    report = audit(site.url("/"), config)
    (finding,) = _dead(report, dead)
    assert finding.evidence["internal"] is False
    assert finding.evidence["tries"] >= 3  # retried, never judged on one failure
    assert finding.evidence["status"] is None and "Connect" in finding.evidence["error"]


def test_external_link_on_other_server_alive(site: TestSite, site6: TestSite) -> None:
    site6.page("/", page("市政府"))
    site.page("/", page("首页", f'<a href="{site6.url("/")}">市政府</a>'))
    config = fast_config()
    config = config.replace(crawl=dataclasses.replace(config.crawl, check_external_links=True),
                            network=dataclasses.replace(config.network, allow_networks=("::1/128",)))
    report = audit(site.url("/"), config)
    assert site6.url("/") in report.snapshot.link_checks
    assert not _dead(report, site6.url("/"))
    assert site6.requested("/", "HEAD") == 1 and site6.requested("/", "GET") == 0  # status only


def test_links_to_non_public_addresses_are_never_requested(site: TestSite) -> None:
    with TestSite("127.0.0.2") as intranet:  # stands for a private address (10.x, 192.168.x)
        site.page("/", page("首页", f'<a href="{intranet.url("/admin")}">内网</a><img src="{intranet.url("/x.png")}">'))
        config = fast_config()
        config = config.replace(crawl=dataclasses.replace(config.crawl, check_external_links=True))
        report = audit(site.url("/"), config)
        assert intranet.hits == []
    assert not _dead(report, intranet.url("/admin"))
    assert any(n.url == intranet.url("/admin") and "未访问" in n.reason for n in report.results.not_checked)


def test_soft404_site_is_flagged(site: TestSite) -> None:
    site.page("/", page("首页"))
    site.fallback = Reply(200, page("首页").encode())
    report = audit(site.url("/"))
    (finding,) = [f for f in report.results.findings if f.rule == "site.soft404"]
    assert finding.evidence["status"] == 200 and "govaudit-probe" in finding.evidence["probe_url"]


def test_soft404_by_redirect_to_homepage_is_flagged(site: TestSite) -> None:
    site.page("/", page("首页"))
    site.fallback = Reply(302, headers={"Location": "/"}, content_type=None)
    report = audit(site.url("/"))
    (finding,) = [f for f in report.results.findings if f.rule == "site.soft404"]
    assert finding.evidence["redirects"][0]["status"] == 302


def test_real_404_site_is_not_flagged(site: TestSite) -> None:
    site.page("/", page("首页"))
    assert "site.soft404" not in rules_found(audit(site.url("/")))


def test_unreachable_homepage_is_veto_and_undecided(site: TestSite) -> None:
    site.route("/", Reply(503))
    report = audit(site.url("/"))
    (finding,) = [f for f in report.results.findings if f.rule == "site.unreachable"]
    assert finding.evidence["tries"] == 3 and [a["status"] for a in finding.evidence["attempts"]] == [503] * 3
    assert report.verdict.verdict == "无法判定" and report.verdict.score is None
    assert {n.rule for n in report.results.not_checked} >= {"links.dead", "identity.conac"}


def test_homepage_refused_connection_is_unreachable() -> None:
    report = audit(f"http://127.0.0.1:{_closed_port()}/")
    assert rules_found(report) == ["site.unreachable"]
    assert report.verdict.verdict == "无法判定"


def test_homepage_redirect_to_other_host_is_followed(site: TestSite, site6: TestSite) -> None:
    site.redirect("/", site6.url("/"), 301)
    site6.page("/", page("首页", '<a href="/a.html">a</a>'))
    site6.page("/a.html", page("a"))
    report = audit(site.url("/"))
    assert report.snapshot.homepage is not None and report.snapshot.homepage.ok
    assert site6.url("/a.html") in report.snapshot.pages


def test_domain_rule_skips_ip_hosts(site: TestSite) -> None:
    site.page("/", page("首页"))
    report = audit(site.url("/"))
    assert "site.domain" not in rules_found(report)
    assert any(n.rule == "site.domain" and "本地测试主机" in n.reason for n in report.results.not_checked)


@pytest.mark.parametrize("host,flagged", [("www.gxq.gov.cn", False), ("kjj.gxq.gov.cn", False),
                                          ("www.xn--zfr164b", False), ("www.gxq-kjj.com", True)])
def test_domain_rule_on_named_hosts(site: TestSite, host: str, flagged: bool) -> None:
    site.page("/", page("首页"))
    config = fast_config()
    config = config.replace(network=dataclasses.replace(config.network, resolve=(f"{host}:127.0.0.1",)))
    report = audit(f"http://{host}:{site.port}/", config)
    assert report.snapshot.homepage is not None and report.snapshot.homepage.ok
    assert ("site.domain" in rules_found(report)) is flagged


def test_judge_of_outcomes() -> None:
    from govaudit.checks.links.dead import Verdict, judge

    def outcome(status: int | None, failure: Failure | None = None) -> FetchOutcome:
        return FetchOutcome(url="http://a/", final_url="http://a/", status=status,
                            error=failure.value if failure else None, attempts=(), failure=failure)

    assert judge(outcome(200)) is Verdict.ALIVE
    assert judge(outcome(404)) is Verdict.DEAD
    assert judge(outcome(500)) is Verdict.DEAD
    for status in (401, 403, 412, 429, 521):   # refused to the tester, or a firewall's challenge
        assert judge(outcome(status)) is Verdict.INCONCLUSIVE
    for undecided in (Failure.TLS, Failure.DNS_NOT_ASKED, Failure.DNS_TIMEOUT, Failure.BLOCKED_BY_SCOPE):
        assert judge(outcome(None, undecided)) is Verdict.INCONCLUSIVE
    for dead in (Failure.TIMEOUT, Failure.DNS_NXDOMAIN, Failure.REFUSED, Failure.RESET):
        assert judge(outcome(None, dead)) is Verdict.DEAD
    unclassified = FetchOutcome(url="http://a/", final_url="http://a/", status=None, error="ConnectError: x", attempts=())
    assert judge(unclassified) is Verdict.INCONCLUSIVE


def test_a_dead_link_behind_a_redirect_stub_page_is_found(site: TestSite) -> None:
    """#27: a link to a stub page that only sends the visitor on (meta refresh, or a script
    setting location) hid the dead page behind it."""
    site.page("/", page("首页", '<a href="/old1.html">旧专题</a> <a href="/old2.html">旧栏目</a> <a href="/old3.html">新栏目</a>'))
    site.page("/old1.html", '<html><head><meta http-equiv="refresh" content="0; url=/gone1.html"></head><body>正在跳转</body></html>')
    site.page("/old2.html", "<html><body><script>window.location.href = '/gone2.html';</script>正在跳转…</body></html>")
    site.page("/old3.html", '<html><head><meta http-equiv="refresh" content="0;url=/live.html"></head><body></body></html>')
    site.page("/live.html", page("新栏目", "<p>正文</p>"))
    report = audit(site.url("/"))
    dead = {f.evidence["link"]: f for f in report.results.findings if f.rule == "links.dead"}
    assert set(dead) == {site.url("/gone1.html"), site.url("/gone2.html")}
    assert site.url("/old1.html") in dead[site.url("/gone1.html")].evidence["linked_from"]
