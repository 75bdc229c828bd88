"""annual_report.sections: one of the six sections is missing."""

from __future__ import annotations

from collections.abc import Iterator

from govaudit.checks.annual_report.common import BASIS, FoundReport, judge_due_report
from govaudit.checks.base import Outcome, Rule, RuleContext, Severity
from govaudit.checks.options import Deduction
from govaudit.crawler.snapshot import SiteSnapshot


def check(snapshot: SiteSnapshot, context: RuleContext) -> Iterator[Outcome]:
    return judge_due_report(RULE, snapshot, context, judge)


def judge(found: FoundReport) -> Iterator[Outcome]:
    """The rule on one readable report (also used by `govaudit annual-report`)."""
    assert found.report is not None
    missing = [name for name, present in found.report.sections.items() if not present]
    if missing:
        yield RULE.finding(found.url, {"title": found.title, "missing": missing})


RULE = Rule(
    id="annual_report.sections",
    title="年度报告缺少规定的部分",
    severity=Severity.DEDUCT,
    basis=BASIS,
    explanation="年度报告应有六个部分：总体情况、主动公开、收到和处理申请、行政复议和行政诉讼、存在的主要问题及改进、"
                "其他需要报告的事项（标题按含义宽松匹配）。",
    messages={"default": "{title}缺少：{missing}"},
    check=check,
    advice="按国办规定的年度报告格式补齐各部分。",
    points=Deduction(points=1.0, cap=4.0),
    screenshot="full",
)
