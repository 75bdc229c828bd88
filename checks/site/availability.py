"""site.availability: the share of failed homepage probes over the monitoring window
reaches 5% (国办秘函〔2019〕19号 站点无法访问: one week, 20+ probes a day, 15 s each)."""

from __future__ import annotations

from collections.abc import Iterator

from govaudit.checks.base import Outcome, Rule, RuleContext, Severity
from govaudit.crawler.snapshot import SiteSnapshot


def check(snapshot: SiteSnapshot, context: RuleContext) -> Iterator[Outcome]:
    options = context.config.availability
    probes = context.probes
    if probes is None:
        yield RULE.not_checked("没有首页监测记录：需由 govaudit schedule 连续监测 7 天后判断")
        return
    if len(probes) < options.min_probes:
        yield RULE.not_checked(f"近 {options.days} 天只有 {len(probes)} 次首页监测"
                               f"（至少需要 {options.min_probes} 次），暂不判断")
        return
    failed = [p for p in probes if not p[1]]
    share = len(failed) / len(probes)
    if share >= options.veto_share:
        yield RULE.finding(snapshot.start_url, {
            "probes": len(probes), "failed": len(failed), "share": f"{share:.1%}",
            "threshold": f"{options.veto_share:.0%}", "window_days": options.days,
            "first_probe": probes[0][0], "last_probe": probes[-1][0],
            "failures": [{"at": at, "status": status, "error": error} for at, _, status, error in failed[:30]]},
            on_homepage=True)


RULE = Rule(
    id="site.availability",
    title="站点无法访问（监测期内失败比例过高）",
    severity=Severity.VETO,
    basis="国办秘函〔2019〕19号《政府网站与政务新媒体检查指标》单项否决指标“站点无法访问”",
    explanation="定时任务每小时（可配置）请求一次首页，15 秒内打不开记为失败；近 7 天失败次数占比达到 5% 即单项否决。"
                "监测不足 140 次时不判断。",
    messages={"default": "近 {window_days} 天首页监测 {probes} 次，失败 {failed} 次，占 {share}（达到 {threshold}）"},
    check=check,
    needs_homepage=False,
    advice="排查服务器、线路和防护设备的稳定性，设置可用性监控和故障告警。",
)
