"""ipv6.slow: IPv6 markedly slower than IPv4 (degradation ratio (v6 - v4) / v4)."""

from __future__ import annotations

from collections.abc import Iterator

from govaudit.checks.base import Outcome, Rule, RuleContext, Severity
from govaudit.checks.ipv6.common import BASIS, probe_for
from govaudit.crawler.snapshot import SiteSnapshot


def check(snapshot: SiteSnapshot, context: RuleContext) -> Iterator[Outcome]:
    probe, why = probe_for(snapshot, "service")
    if probe is None:
        yield RULE.not_checked(why or "")
        return
    v4, v6 = probe.homepage_pair(probe.compared_url or "")
    if v4 is None or v6 is None or not (v4.answered and v6.answered):
        yield RULE.not_checked("没有两种协议都成功的首页请求，无法比较速度")
        return
    options = context.config.ipv6
    slow = {}
    for name, before, after in (("connect", v4.connect_s, v6.connect_s), ("total", v4.total_s, v6.total_s)):
        if before is None or after is None or before <= 0:
            continue
        ratio = (after - before) / before
        if ratio > options.slow_ratio and after - before > options.slow_min_diff_s:
            slow[name] = (before, after, ratio)
    if slow:
        yield RULE.finding(probe.compared_url or snapshot.start_url, {
            "measures": "、".join({"connect": "建立连接", "total": "整页"}[k] for k in slow),
            "ratio": f"{max(r for _, _, r in slow.values()):.0%}", "bound": f"{options.slow_ratio:.0%}",
            **{f"{k}_s": {"ipv4": b, "ipv6": a} for k, (b, a, _) in slow.items()}})


RULE = Rule(
    id="ipv6.slow",
    title="IPv6 访问明显慢于 IPv4",
    severity=Severity.NOTICE,
    basis=BASIS + "（IPv6 访问时延）",
    explanation="比较首页通过两种协议的建立连接时间和整页时间，劣化比 (IPv6−IPv4)/IPv4 超过上限（默认 100%）"
                "且绝对差超过 0.2 秒（均可配置，未经核实的默认值）时提示。单次测量，仅供参考。",
    messages={"default": "IPv6 的{measures}时间比 IPv4 慢 {ratio}（提示上限 {bound}）"},
    check=check,
    advice="IPv6 流量可能经过了隧道或更远的节点：请检查 IPv6 线路、CDN 的 IPv6 节点和服务器的 IPv6 路由。",
)
