"""annual_report.blank_cells: cells left blank instead of 0 (a format notice, never an
arithmetic error)."""

from __future__ import annotations

from collections.abc import Iterator

from checks.annual_report.common import BASIS, readable_due_report
from checks.base import Outcome, Rule, RuleContext, Severity
from crawler.snapshot import SiteSnapshot


def check(snapshot: SiteSnapshot, context: RuleContext) -> Iterator[Outcome]:
    found, why = readable_due_report(snapshot, context)
    if why or found is None or found.report is None:
        yield RULE.not_checked(why or "无法读取年度报告", found.url if found else None)
        return
    for table in (found.report.table3, found.report.table4):
        if table is not None and table.source == "table" and table.blank_cells():
            yield RULE.finding(found.url, {"title": found.title, "table": table.name, "count": len(table.blank_cells())})


RULE = Rule(
    id="annual_report.blank_cells",
    title="年度报告表格留空未填 0",
    severity=Severity.NOTICE,
    task="39",
    basis=BASIS,
    explanation="表格中数量为零的单元格应填写 0，不应留空（计算时按 0 处理）。",
    messages={"default": "{title}的{table}有 {count} 个单元格留空，应填写 0"},
    check=check,
    advice="数量为零的单元格填写 0。",
)
