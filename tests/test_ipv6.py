"""IPv6 (plan task 31) against a test DNS server and sites on 127.0.0.1 and [::1].

Each case must give exactly its finding and no other ipv6.* finding.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest

from govaudit.config import Ipv6Options, Network
from govaudit.reports.document import SiteReport
from tests.conftest import audit, fast_config
from tests.support.dns import Zone, dns_server, silent_dns_server
from tests.support.pages import page
from tests.support.server import DualStack, Reply

HOST = "www.v6-test.gov.cn"
CDN = "cdn.v6-cdn-test.com"

HOME = page("首页", '<a href="/l2a.html">二级a</a><a href="/l2b.html">二级b</a>')
L2A = page("二级a", '<a href="/l3a.html">三级a</a>')
L2B = page("二级b", '<a href="/l3b.html">三级b</a>')
L3 = page("三级")


def _site(sites: DualStack, v6_home: str | None = None, v6_inner: bool = True) -> None:
    for path, html in (("/", HOME), ("/l2a.html", L2A), ("/l2b.html", L2B), ("/l3a.html", L3), ("/l3b.html", L3)):
        sites.v4.page(path, html)
        assert sites.v6 is not None
        if path == "/":
            sites.v6.page(path, v6_home or html)
        elif v6_inner:
            sites.v6.page(path, html)
        else:
            sites.v6.route(path, Reply(502, b"Bad Gateway"))


def _zone(aaaa: bool = True) -> Zone:
    zone = Zone().add(HOST, "A", "127.0.0.1")
    if aaaa:
        zone.add(HOST, "AAAA", "::1")
    zone.add("v6-test.gov.cn", "NS", "ns1.v6-test.gov.cn").add("v6-test.gov.cn", "NS", "ns2.v6-test.gov.cn")
    zone.add("ns1.v6-test.gov.cn", "A", "127.0.0.1").add("ns1.v6-test.gov.cn", "AAAA", "::1")
    zone.add("ns2.v6-test.gov.cn", "A", "127.0.0.1")
    zone.add(CDN, "A", "127.0.0.1")
    return zone


@pytest.fixture
def sites() -> Iterator[DualStack]:
    with DualStack() as pair:
        yield pair


def _audit(sites: DualStack, port: int, **ipv6: object) -> SiteReport:
    config = fast_config()
    config = config.replace(network=Network(nameservers=(f"127.0.0.1:{port}",), dns_timeout_s=1.0),
                            ipv6=dataclasses.replace(Ipv6Options(), **ipv6))
    return audit(f"http://{HOST}:{sites.port}/", config)


def _ipv6(report: SiteReport) -> list[str]:
    return sorted(f.rule for f in report.results.findings if f.rule.startswith("ipv6."))


def _finding(report: SiteReport, rule: str):  # type: ignore[no-untyped-def]
    (finding,) = [f for f in report.results.findings if f.rule == rule]
    return finding


def test_dual_stack_identical_site_has_no_ipv6_finding(sites: DualStack) -> None:
    _site(sites)
    with dns_server(_zone()) as port:
        report = _audit(sites, port)
    assert _ipv6(report) == []
    probe = report.snapshot.ipv6
    assert probe is not None and probe.difference == 0.0
    assert probe.depth_rate(2) == (2, 2, 1.0) and probe.depth_rate(3) == (2, 2, 1.0)
    assert probe.zone == "v6-test.gov.cn" and len(probe.nameservers) == 2
    families = {(f.family, f.address) for f in probe.fetches}
    assert families == {("ipv4", "127.0.0.1"), ("ipv6", "::1")}
    assert sites.v6 is not None and ("HEAD", "/l3a.html") in sites.v6.hits  # deep pages really asked over IPv6
    assert ("GET", "/l3a.html") not in sites.v6.hits  # ... and the crawl itself went over IPv4


def test_ipv4_only_host_is_no_aaaa_only(sites: DualStack) -> None:
    _site(sites)
    with dns_server(_zone(aaaa=False)) as port:
        report = _audit(sites, port)
    assert _ipv6(report) == ["ipv6.no_aaaa"]
    finding = _finding(report, "ipv6.no_aaaa")
    assert finding.evidence["host"] == HOST and finding.evidence["a"] == ["127.0.0.1"]
    assert sites.v6 is not None and sites.v6.hits == []
    reasons = {n.rule: n.reason for n in report.results.not_checked}
    assert "没有 AAAA" in reasons["ipv6.depth"]


def test_aaaa_but_nothing_listening_is_unreachable_only(sites: DualStack) -> None:
    _site(sites)
    assert sites.v6 is not None
    sites.v6.__exit__()  # AAAA says ::1, but nothing listens there
    sites.v6 = None
    with dns_server(_zone()) as port:
        report = _audit(sites, port)
    assert _ipv6(report) == ["ipv6.unreachable"]
    finding = _finding(report, "ipv6.unreachable")
    assert finding.evidence["ipv4"]["status"] == 200 and finding.evidence["ipv6"]["status"] is None
    assert finding.evidence["ipv6"]["tries"] == 3  # retried before judging


def test_ipv6_serving_a_different_page_is_content_mismatch_only(sites: DualStack) -> None:
    other = page("IPv6 测试页", "<p>本页面用于测试 IPv6 接入，请访问正式网站。</p>" * 3)
    _site(sites, v6_home=other)
    with dns_server(_zone()) as port:
        report = _audit(sites, port)
    assert _ipv6(report) == ["ipv6.content_mismatch"]
    finding = _finding(report, "ipv6.content_mismatch")
    assert finding.evidence["first_differences"]
    assert any(line.startswith("+") and "IPv6 测试页" in line for line in finding.evidence["first_differences"])


def test_per_request_noise_is_not_a_mismatch(sites: DualStack) -> None:
    def noisy(token: str, when: str) -> str:
        return page("首页", f'<input type="hidden" name="__VIEWSTATE" value="{token * 8}">'
                            f'<meta name="csrf-token" content="{token}{token}">'
                            f'<script nonce="{token}">var t = {when};</script>'
                            f'<p>页面生成时间 2026-11-26 10:{when[-2:]}:01</p><a href="/l2a.html">二级a</a>'
                            f'<a href="/l2b.html">二级b</a>')
    _site(sites)
    sites.v4.page("/", noisy("a1b2c3d4e5f60718", "1764122401"))
    assert sites.v6 is not None
    sites.v6.page("/", noisy("ffee99887766aabb", "1764122459"))
    with dns_server(_zone()) as port:
        report = _audit(sites, port)
    assert _ipv6(report) == []
    assert report.snapshot.ipv6 is not None and report.snapshot.ipv6.difference == 0.0


def test_failing_inner_pages_over_ipv6_is_depth_only(sites: DualStack) -> None:
    _site(sites, v6_inner=False)
    with dns_server(_zone()) as port:
        report = _audit(sites, port)
    assert _ipv6(report) == ["ipv6.depth"]
    finding = _finding(report, "ipv6.depth")
    assert finding.evidence["rate_二级"].startswith("0.0%") and finding.evidence["failing_count"] == 4
    assert {f["why"] for f in finding.evidence["failing"]} == {"HTTP 502（网关错误）"}


def test_depth_rate_at_threshold_passes(sites: DualStack) -> None:
    _site(sites)
    assert sites.v6 is not None
    sites.v6.route("/l3b.html", Reply(404))  # 三级: 1 of 2 = 50%
    with dns_server(_zone()) as port:
        assert _ipv6(_audit(sites, port, depth_threshold=0.5)) == []
        assert _ipv6(_audit(sites, port, depth_threshold=0.9)) == ["ipv6.depth"]


def test_cdn_host_without_aaaa_is_subresource_only(sites: DualStack) -> None:
    home = page("首页", f'<script src="http://{CDN}:{sites.port}/jquery.js"></script>'
                        '<a href="/l2a.html">二级a</a><a href="/l2b.html">二级b</a>')
    _site(sites, v6_home=home)
    sites.v4.page("/", home)
    with dns_server(_zone()) as port:
        report = _audit(sites, port)
    assert _ipv6(report) == ["ipv6.subresource"]
    finding = _finding(report, "ipv6.subresource")
    assert finding.evidence["hosts"] == CDN


def test_dns_timeout_on_aaaa_is_not_no_aaaa(sites: DualStack) -> None:
    _site(sites)
    zone = _zone()
    zone.silent.add((HOST, "AAAA"))
    with dns_server(zone) as port:
        report = _audit(sites, port)
    assert _ipv6(report) == []
    reasons = [n.reason for n in report.results.not_checked if n.rule == "ipv6.no_aaaa"]
    assert reasons and "查询超时" in reasons[0]
    assert report.snapshot.homepage is not None and report.snapshot.homepage.ok  # the crawl went on over IPv4


def test_name_servers_without_ipv6_are_dns_chain(sites: DualStack) -> None:
    _site(sites)
    zone = Zone().add(HOST, "A", "127.0.0.1").add(HOST, "AAAA", "::1")
    zone.add("v6-test.gov.cn", "NS", "ns1.v6-test.gov.cn").add("ns1.v6-test.gov.cn", "A", "127.0.0.1")
    with dns_server(zone) as port:
        report = _audit(sites, port)
    assert _ipv6(report) == ["ipv6.dns_chain"]
    assert _finding(report, "ipv6.dns_chain").evidence["zone"] == "v6-test.gov.cn"


def test_ns_cannot_be_asked_when_resolve_map_answers(sites: DualStack) -> None:
    _site(sites)
    config = fast_config()
    config = config.replace(network=Network(resolve=(f"{HOST}:127.0.0.1", f"{HOST}:::1")))
    report = audit(f"http://{HOST}:{sites.port}/", config)
    assert _ipv6(report) == []
    reasons = {n.rule: n.reason for n in report.results.not_checked}
    assert "未配置 DNS 服务器" in reasons["ipv6.dns_chain"]


def test_whole_dns_silent_is_never_a_finding() -> None:
    with silent_dns_server() as port:
        config = fast_config().replace(network=Network(nameservers=(f"127.0.0.1:{port}",), dns_timeout_s=0.5))
        report = audit(f"http://{HOST}:9/", config)
    # Our own resolver got no answer: the site may be fine, so no veto either.
    assert [f.rule for f in report.results.findings] == []
    (note,) = [n for n in report.results.not_checked if n.rule == "site.unreachable"]
    assert "域名解析超时" in note.reason
