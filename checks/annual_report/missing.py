"""annual_report.missing: last year's report not published, or published after the deadline."""

from __future__ import annotations

from collections.abc import Iterator

from govaudit.checks.annual_report.common import BASIS, deadline_for, due_report, due_year, site_reports
from govaudit.checks.base import Outcome, Rule, RuleContext, Severity
from govaudit.checks.coverage import absence_unknown
from govaudit.checks.options import Deduction
from govaudit.checks.sitemodel.kind import site_kind
from govaudit.crawler.snapshot import SiteSnapshot


def check(snapshot: SiteSnapshot, context: RuleContext) -> Iterator[Outcome]:
    year = due_year(context)
    deadline = deadline_for(year, site_kind(snapshot, context).kind)
    found = due_report(snapshot, context)
    if found is None:
        unknown = absence_unknown(snapshot, context)
        undated = next((r for r in site_reports(snapshot, context) if r.year is None), None)
        if undated is not None:
            unknown = f"找到年度报告“{undated.title}”，但读不出它的年度，无法确认是否为 {year} 年度的报告"
        if context.today <= deadline:
            yield RULE.not_checked(f"{year} 年度报告的公开期限 {deadline} 尚未到")
        elif unknown:
            yield RULE.not_checked(f"未找到 {year} 年度报告，但{unknown}")
        else:
            yield RULE.finding(snapshot.start_url, {"year": year, "deadline": deadline.isoformat(),
                                                    "today": context.today.isoformat()}, variant="missing")
        return
    if found.published is None:
        yield RULE.not_checked(f"找到 {found.title}，但未能读出发布日期，无法判断是否按期公开", found.url)
        return
    if found.published.value > deadline:
        yield RULE.finding(found.url, {"year": year, "title": found.title, "published": found.published.value.isoformat(),
                                       "date_source": found.published.source, "deadline": deadline.isoformat()},
                           variant="late")


RULE = Rule(
    id="annual_report.missing",
    title="未按期公开政府信息公开工作年度报告",
    severity=Severity.DEDUCT,
    basis=BASIS,
    explanation="按检查基准日确定应公开的上一年度报告；部门应在次年 1月31日前、政府本级（门户网站）应在 3月31日前公开。"
                "未找到报告，或报告发布日期晚于期限。",
    messages={"missing": "未找到 {year} 年政府信息公开工作年度报告（公开期限 {deadline}）",
              "late": "{title}发布于 {published}，晚于公开期限 {deadline}"},
    check=check,
    advice="在“政府信息公开年报”栏目按期发布上一年度报告。",
    points=Deduction(points=5.0, cap=5.0),
    screenshot="full",
)
