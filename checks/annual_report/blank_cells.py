"""annual_report.blank_cells: cells left blank instead of 0 (a format notice, never an
arithmetic error)."""

from __future__ import annotations

from collections.abc import Iterator

from govaudit.checks.annual_report.common import BASIS, FoundReport, judge_due_report
from govaudit.checks.base import Outcome, Rule, RuleContext, Severity
from govaudit.crawler.snapshot import SiteSnapshot


def check(snapshot: SiteSnapshot, context: RuleContext) -> Iterator[Outcome]:
    return judge_due_report(RULE, snapshot, context, judge)


def judge(found: FoundReport) -> Iterator[Outcome]:
    """The rule on one readable report (also used by `govaudit annual-report`)."""
    assert found.report is not None
    for table in (found.report.table3, found.report.table4):
        if table is not None and table.source == "table" and table.blank_cells():
            yield RULE.finding(found.url, {"title": found.title, "table": table.name, "count": len(table.blank_cells())})


RULE = Rule(
    id="annual_report.blank_cells",
    title="年度报告表格留空未填 0",
    severity=Severity.NOTICE,
    basis=BASIS,
    explanation="表格中数量为零的单元格应填写 0，不应留空（计算时按 0 处理）。",
    messages={"default": "{title}的{table}有 {count} 个单元格留空，应填写 0"},
    check=check,
    advice="数量为零的单元格填写 0。",
    screenshot="full",
)
