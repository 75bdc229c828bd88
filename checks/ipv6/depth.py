"""ipv6.depth: the 二级 / 三级 internal-link IPv6 support rate is below the threshold."""

from __future__ import annotations

from collections.abc import Iterator

from govaudit.checks.base import Outcome, Rule, RuleContext, Severity
from govaudit.checks.ipv6.common import BASIS, probe_for
from govaudit.checks.options import Deduction
from govaudit.checks.wording import describe_error, describe_status
from govaudit.crawler.snapshot import SiteSnapshot

_LEVEL_NAMES = {2: "二级", 3: "三级"}
_MAX_LISTED = 30


def check(snapshot: SiteSnapshot, context: RuleContext) -> Iterator[Outcome]:
    probe, why = probe_for(snapshot, "service")
    if probe is None:
        yield RULE.not_checked(why or "")
        return
    if not probe.depth:
        yield RULE.not_checked("没有抓取到二级、三级页面，无从计算支持率")
        return
    threshold = context.config.ipv6.depth_threshold
    rates = {level: probe.depth_rate(level) for level in (2, 3)}
    below = [level for level, (_, tested, rate) in rates.items() if tested and rate is not None and rate < threshold]
    if not below:
        return
    found = dict(probe.depth_found)
    failing = [{"url": c.url, "level": _LEVEL_NAMES[c.level],
                "why": describe_status(c.status) if c.status is not None and c.error is None
                else describe_error(c.error or "")}
               for c in probe.depth if not c.supported]
    evidence = {
        "levels_below": "、".join(_LEVEL_NAMES[level] for level in below),
        "threshold": f"{threshold:.0%}",
        **{f"rate_{_LEVEL_NAMES[level]}": _rate_text(*rates[level], found.get(level, 0)) for level in (2, 3)},
        "failing": failing[:_MAX_LISTED], "failing_count": len(failing),
    }
    yield RULE.finding(snapshot.start_url, evidence)


def _rate_text(supported: int, tested: int, rate: float | None, found: int) -> str:
    if rate is None:
        return "无此级页面"
    sample = f"（抽测 {tested}/{found} 页）" if found > tested else ""
    return f"{rate:.1%}（{supported}/{tested}）{sample}"


RULE = Rule(
    id="ipv6.depth",
    title="二级、三级链接 IPv6 支持率不足",
    severity=Severity.DEDUCT,
    basis=BASIS + "（二级、三级内链IPv6支持率）",
    explanation="对首页下一层（二级）和两层（三级）的站内页面逐一通过 IPv6 请求（每级最多 200 页，可配置），"
                "计算能正常打开的比例；任一级低于阈值（默认 90%，可配置）即为不足。",
    messages={"default": "{levels_below}链接 IPv6 支持率低于 {threshold}：二级 {rate_二级}，三级 {rate_三级}，"
                         "{failing_count} 个页面无法通过 IPv6 打开"},
    check=check,
    advice="IPv6 入口往往只为首页做了改造：请检查 IPv6 入口的反向代理/CDN 是否转发了全部路径，栏目和文章页的服务器是否同样支持 IPv6。",
    points=Deduction(points=1.0, cap=2.0),
)
