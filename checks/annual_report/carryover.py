"""annual_report.carryover: this year's 上年结转 differs from last year's 结转下年度."""

from __future__ import annotations

from collections.abc import Iterator

from govaudit.checks.annual_report.common import BASIS, due_year, readable_due_report, site_reports
from govaudit.checks.base import Outcome, Rule, RuleContext, Severity
from govaudit.crawler.snapshot import SiteSnapshot


def check(snapshot: SiteSnapshot, context: RuleContext) -> Iterator[Outcome]:
    found, why = readable_due_report(snapshot, context)
    if why or found is None or found.report is None or found.report.table3 is None:
        yield RULE.not_checked(why or "没有表三", found.url if found else None)
        return
    previous = next((r for r in site_reports(snapshot, context) if r.year == due_year(context) - 1), None)
    if previous is None or previous.report is None or previous.report.table3 is None:
        yield RULE.not_checked(f"未找到可读取的 {due_year(context) - 1} 年度报告，无法核对结转数")
        return
    this_in = found.report.table3.rows.get("carried_in")
    last_out = previous.report.table3.rows.get("carried_out")
    if this_in is None or last_out is None:
        yield RULE.not_checked("表三缺少“上年结转”或“结转下年度”行")
        return
    if this_in[-1].number != last_out[-1].number:
        yield RULE.finding(found.url, {"title": found.title, "carried_in": this_in[-1].number,
                                       "previous": previous.title, "previous_url": previous.url,
                                       "previous_carried_out": last_out[-1].number})


RULE = Rule(
    id="annual_report.carryover",
    title="上年结转数与上年度报告不符",
    severity=Severity.NOTICE,
    basis=BASIS,
    explanation="本年度表三“二、上年结转政府信息公开申请数量”总计应等于上一年度报告“四、结转下年度继续办理”总计。",
    messages={"default": "{title}的上年结转为 {carried_in} 件，上一年度报告的结转下年度为 {previous_carried_out} 件"},
    check=check,
    advice="核对两个年度的申请办理台账，更正不一致的数字。",
    screenshot="full",
)
