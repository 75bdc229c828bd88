"""ipv6.subresource: scripts, styles, images or frames load from hosts without IPv6."""

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
    missing = [h for h in probe.resource_hosts if h.aaaa.is_definite_absence]
    for host in probe.resource_hosts:
        if not host.aaaa.ok and not host.aaaa.is_definite_absence:
            yield RULE.not_checked(f"资源主机 {host.host} 的 AAAA 记录无法确定：{dns_words(host.aaaa)}")
    if missing:
        yield RULE.finding(snapshot.start_url, {
            "hosts": "、".join(h.host for h in missing),
            "count": len(missing),
            "resources": [{"host": h.host, "aaaa": dns_words(h.aaaa), "examples": "、".join(h.resources[:3])}
                          for h in missing]})


RULE = Rule(
    id="ipv6.subresource",
    title="页面引用的外部资源不支持 IPv6",
    severity=Severity.NOTICE,
    basis=BASIS,
    explanation="列出页面所引用脚本、样式、图片、框架页所在的其他主机，查询其 AAAA 记录；没有 AAAA 的主机会让纯 IPv6 用户看到残缺的页面。",
    messages={"default": "{count} 个外部资源主机没有 IPv6 地址：{hosts}"},
    check=check,
    advice="把这些资源迁到支持 IPv6 的主机或 CDN，或放到本站服务器上。",
)
