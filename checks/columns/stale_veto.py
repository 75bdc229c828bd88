"""columns.stale_veto: the counts of stale or blank columns reach the 19号 veto thresholds."""

from __future__ import annotations

from collections.abc import Iterator

from govaudit.checks.base import Outcome, Rule, RuleContext, Severity
from govaudit.checks.columns.common import BASIS_19, counts_for_veto_a, freshness, is_not_updated
from govaudit.checks.sitemodel.columns import site_model
from govaudit.crawler.snapshot import SiteSnapshot


def check(snapshot: SiteSnapshot, context: RuleContext) -> Iterator[Outcome]:
    options = context.config.freshness
    entries = freshness(site_model(snapshot, context), options, context.today)
    stale_a = [e.column.name for e in entries if counts_for_veto_a(e)]
    not_updated = [e.column.name for e in entries if is_not_updated(e)]
    blank = [e.column.name for e in entries if e.status == "blank"]
    reached = []
    if len(stale_a) >= options.veto_stale_columns:
        reached.append(f"动态/要闻类及一级通知公告/政策文件类栏目未更新 {len(stale_a)} 个（≥{options.veto_stale_columns}）")
    if len(not_updated) >= options.veto_unupdated_columns:
        reached.append(f"应更新未更新栏目 {len(not_updated)} 个（≥{options.veto_unupdated_columns}）")
    if len(blank) >= options.veto_blank_columns:
        reached.append(f"空白栏目 {len(blank)} 个（≥{options.veto_blank_columns}）")
    if reached:
        yield RULE.finding(snapshot.start_url, {"reached": reached, "stale_news_notice": stale_a,
                                                "not_updated": not_updated, "blank": blank})


RULE = Rule(
    id="columns.stale_veto",
    title="栏目不更新（单项否决）",
    severity=Severity.VETO,
    basis=BASIS_19,
    explanation="19号单项否决：(a) 动态/要闻类栏目 2 周未更新与一级通知公告/政策文件类栏目 6 个月未更新合计 5 个及以上；"
                "(b) 应更新未更新栏目 10 个及以上；(c) 空白栏目 5 个及以上。阈值可配置。",
    messages={"default": "栏目不更新达到单项否决标准：{reached}"},
    check=check,
    advice="立即清理：更新或归档未更新栏目，撤销空白栏目。",
    screenshot="top",
)
