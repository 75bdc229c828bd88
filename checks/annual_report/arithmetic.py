"""annual_report.arithmetic: a sum or the 勾稽关系 of the tables does not tie."""

from __future__ import annotations

from collections.abc import Iterator

from govaudit.checks.annual_report.common import BASIS, FoundReport, judge_due_report
from govaudit.checks.annual_report.relations import mismatches
from govaudit.checks.base import Outcome, Rule, RuleContext, Severity
from govaudit.checks.options import Deduction
from govaudit.crawler.snapshot import SiteSnapshot


def check(snapshot: SiteSnapshot, context: RuleContext) -> Iterator[Outcome]:
    return judge_due_report(RULE, snapshot, context, judge)


def judge(found: FoundReport) -> Iterator[Outcome]:
    """The rule on one readable report (also used by `govaudit annual-report`)."""
    assert found.report is not None
    report = found.report
    for table in (report.table3, report.table4):
        if table is not None and table.ambiguous:
            yield RULE.not_checked(f"{table.name}的部分行无法确定各数所在的列：{'；'.join(table.ambiguous[:3])}", found.url)
    for mismatch in mismatches(report):
        yield RULE.finding(found.url, {"title": found.title, **mismatch.describe()})


RULE = Rule(
    id="annual_report.arithmetic",
    title="年度报告数据不平衡",
    severity=Severity.DEDUCT,
    basis=BASIS + "（表三“本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和”）",
    explanation="逐列核对表三的勾稽关系（一 + 二 = 三(七)总计 + 四），(七)总计等于各办理结果之和，每行总计等于六类申请人之和；"
                "表四每组的总计等于维持、纠正、其他、尚未审结之和。空白单元格按 0 计算（另作格式提示）。"
                "表格文字化后无法确定某数所在列的，列入未检查。",
    messages={"default": "{table}“{row}”的“{column}”：按“{relation}”应为 {expected}，报告中为 {found}"},
    check=check,
    advice="核对基础数据后更正报告表格，并说明更正情况。",
    points=Deduction(points=0.5, cap=3.0),
    screenshot="full",
)
