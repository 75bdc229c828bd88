"""ipv6.content_mismatch: the homepage over IPv6 differs from IPv4 beyond the tolerance
(首页内容一致性), after per-request noise (nonces, tokens, timestamps) is removed."""

from __future__ import annotations

from collections.abc import Iterator

from govaudit.checks.base import Outcome, Rule, RuleContext, Severity
from govaudit.checks.ipv6.common import BASIS, probe_for
from govaudit.checks.options import Deduction
from govaudit.crawler.snapshot import SiteSnapshot


def check(snapshot: SiteSnapshot, context: RuleContext) -> Iterator[Outcome]:
    probe, why = probe_for(snapshot, "service")
    if probe is None:
        yield RULE.not_checked(why or "")
        return
    if probe.difference is None:
        yield RULE.not_checked(probe.comparison_note or "未能比较两种协议的首页内容", probe.compared_url)
        return
    tolerance = context.config.ipv6.content_tolerance
    if probe.difference <= tolerance:
        return
    v4, v6 = probe.homepage_pair(probe.compared_url or "")
    yield RULE.finding(probe.compared_url or snapshot.start_url, {
        "url": probe.compared_url, "difference": f"{probe.difference:.1%}", "tolerance": f"{tolerance:.0%}",
        "ipv4_size": v4.size if v4 else None, "ipv6_size": v6.size if v6 else None,
        "first_differences": list(probe.first_differences)})


RULE = Rule(
    id="ipv6.content_mismatch",
    title="IPv6 与 IPv4 首页内容不一致",
    severity=Severity.DEDUCT,
    basis=BASIS + "（首页内容一致性）",
    explanation="通过两种协议各取一次首页（最多 500 KB），去掉每次请求都会变化的内容（nonce、CSRF 令牌、__VIEWSTATE、"
                "时间戳、会话号）后逐行比较，差异超过容差（默认 10%，可配置）即为不一致。",
    messages={"default": "首页通过 IPv6 与 IPv4 取得的内容差异为 {difference}（容差 {tolerance}）"},
    check=check,
    advice="IPv6 入口可能指向了旧服务器、测试页或默认页：请让 IPv6 和 IPv4 入口指向同一站点（同一负载均衡或 CDN 源站）。",
    points=Deduction(points=1.0, cap=1.0),
)
