"""ipv6.no_aaaa: the site's host name has no AAAA record (IPv6 address).

A DNS timeout or server failure is not "no AAAA": it goes to not_checked.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

from govaudit.checks.base import Outcome, Rule, RuleContext, Severity
from govaudit.checks.ipv6.common import BASIS, dns_words, probe_for
from govaudit.checks.options import Deduction
from govaudit.crawler.snapshot import SiteSnapshot


def check(snapshot: SiteSnapshot, context: RuleContext) -> Iterator[Outcome]:
    probe, why = probe_for(snapshot, "probe")
    if probe is None:
        yield RULE.not_checked(why or "")
        return
    entry_hosts = {urlsplit(snapshot.start_url).hostname, probe.site_host}
    for host in probe.hosts:
        if host.host not in entry_hosts or host.aaaa.ok:
            continue
        if not host.aaaa.is_definite_absence:
            yield RULE.not_checked(f"{host.host} 的 AAAA 记录无法确定：{dns_words(host.aaaa)}")
        elif not host.a.ok:
            yield RULE.not_checked(f"{host.host} 的 A 记录也查不到（{dns_words(host.a)}），无法判断")
        else:
            yield RULE.finding(snapshot.start_url, {
                "host": host.host, "a": list(host.a.records), "aaaa": dns_words(host.aaaa),
                "cname_chain": list(host.aaaa.cnames or host.a.cnames), "source": host.aaaa.source})


RULE = Rule(
    id="ipv6.no_aaaa",
    title="网站域名没有 IPv6 地址（AAAA 记录）",
    severity=Severity.DEDUCT,
    basis=BASIS + "（网站域名IPv6地址解析能力）",
    explanation="查询网站主机名（及首页跳转后的主机名）的 AAAA 记录；DNS 超时或服务器失败列入未检查，不判为没有 AAAA。",
    messages={"default": "{host} 只有 IPv4 地址（A 记录 {a}），没有 AAAA 记录，IPv6 用户无法访问"},
    check=check,
    advice="在域名解析服务商处为网站主机名添加 AAAA 记录，指向已开通 IPv6 的服务器、负载均衡或 CDN 地址；"
           "如使用 CNAME 指向 CDN，请确认 CDN 已开启 IPv6 解析。",
    points=Deduction(points=2.0, cap=2.0),
)
