"""annual_report.work_points: the report does not account for the year's 工作要点 (the work plan asks for it)."""

from __future__ import annotations

from collections.abc import Iterator

from govaudit.checks.annual_report.common import FoundReport, judge_due_report
from govaudit.checks.annual_report.model import squeeze
from govaudit.checks.base import Outcome, Rule, RuleContext, Severity
from govaudit.crawler.snapshot import SiteSnapshot

_WORDS = ("工作要点", "政务公开要点", "政务公开工作要点")


def check(snapshot: SiteSnapshot, context: RuleContext) -> Iterator[Outcome]:
    return judge_due_report(RULE, snapshot, context, judge)


def judge(found: FoundReport) -> Iterator[Outcome]:
    """The rule on one readable report (also used by `govaudit annual-report`)."""
    assert found.report is not None
    if not any(word in squeeze(found.report.text) for word in _WORDS):
        yield RULE.finding(found.url, {"title": found.title, "searched": list(_WORDS)})


RULE = Rule(
    id="annual_report.work_points",
    title="年度报告未报告工作要点落实情况",
    severity=Severity.NOTICE,
    basis="《中华人民共和国政府信息公开条例》第五十条；政务公开工作要点（各部门贯彻落实要点的主要情况纳入年度报告）",
    explanation="年度报告正文中应有对本年度政务公开工作要点落实情况的说明（查找“工作要点”等字样）。",
    messages={"default": "{title}中未见对年度政务公开工作要点落实情况的说明"},
    check=check,
    advice="在年度报告“总体情况”中逐项说明工作要点的落实情况。",
    screenshot="full",
)
