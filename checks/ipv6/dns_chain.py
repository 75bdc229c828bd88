"""ipv6.dns_chain: the domain's name servers have no IPv6 address (完整的IPv6域名授权体系)."""

from __future__ import annotations

from collections.abc import Iterator

from govaudit.checks.base import Outcome, Rule, RuleContext, Severity
from govaudit.checks.ipv6.common import BASIS, dns_words, probe_for
from govaudit.crawler.snapshot import SiteSnapshot


def check(snapshot: SiteSnapshot, context: RuleContext) -> Iterator[Outcome]:
    probe, why = probe_for(snapshot, "probe")
    if probe is None:
        yield RULE.not_checked(why or "")
        return
    if probe.ns is None or not probe.ns.ok:
        why = dns_words(probe.ns) if probe.ns is not None else "未查询"
        yield RULE.not_checked(f"无法取得 {probe.site_host} 所在域的 NS 记录：{why}")
        return
    wanted = context.config.ipv6.min_ipv6_nameservers
    with_v6 = [ns for ns in probe.nameservers if ns.aaaa.ok]
    unsure = [ns for ns in probe.nameservers if not ns.aaaa.ok and not ns.aaaa.is_definite_absence]
    if len(with_v6) >= wanted:
        return
    if len(with_v6) + len(unsure) >= wanted:
        names = "、".join(f"{ns.host}（{dns_words(ns.aaaa)}）" for ns in unsure)
        yield RULE.not_checked(f"部分域名服务器的 AAAA 记录无法确定：{names}")
        return
    yield RULE.finding(snapshot.start_url, {
        "zone": probe.zone, "required": wanted, "with_ipv6": len(with_v6),
        "nameservers": [{"name": ns.host, "aaaa": dns_words(ns.aaaa)} for ns in probe.nameservers]})


RULE = Rule(
    id="ipv6.dns_chain",
    title="域名服务器不支持 IPv6",
    severity=Severity.NOTICE,
    basis=BASIS + "（完整的IPv6域名授权体系）",
    explanation="查询网站所在域的 NS 记录及每台域名服务器的 AAAA 记录；具有 IPv6 地址的域名服务器少于配置要求"
                "（默认 1 台，internet.nl 要求 2 台）时提示。",
    messages={"default": "域 {zone} 的域名服务器中只有 {with_ipv6} 台有 IPv6 地址（要求至少 {required} 台），"
                         "纯 IPv6 网络中的用户无法完成解析"},
    check=check,
    advice="请域名解析服务商为权威域名服务器配置 IPv6 地址（AAAA 记录及上级域的 glue 记录）。",
)
