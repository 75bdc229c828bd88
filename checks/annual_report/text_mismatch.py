"""annual_report.text_mismatch: a figure quoted in 一、总体情况 differs from 表三."""

from __future__ import annotations

import re
from collections.abc import Iterator

from govaudit.checks.annual_report.common import BASIS, FoundReport, judge_due_report
from govaudit.checks.annual_report.model import normalise
from govaudit.checks.base import Outcome, Rule, RuleContext, Severity
from govaudit.crawler.snapshot import SiteSnapshot

_CLAIMS = (("new", re.compile(r"(?:共|全年)?(?:收到|受理|新收)[^。，；\d]{0,14}?申请\s*(\d+)\s*件")),
           ("carried_in", re.compile(r"上年结转[^。，；\d]{0,8}?(\d+)\s*件")))
_NAMES = {"new": "本年新收申请", "carried_in": "上年结转申请"}


def check(snapshot: SiteSnapshot, context: RuleContext) -> Iterator[Outcome]:
    return judge_due_report(RULE, snapshot, context, judge)


def judge(found: FoundReport) -> Iterator[Outcome]:
    """The rule on one readable report (also used by `govaudit annual-report`)."""
    assert found.report is not None
    if found.report.table3 is None:
        yield RULE.not_checked("没有可对照的表三", found.url)
        return
    text = normalise(found.report.text)
    for key, pattern in _CLAIMS:
        match = pattern.search(text)
        cells = found.report.table3.rows.get(key)
        if match is None or cells is None:
            continue
        stated, tabled = int(match.group(1)), cells[-1].number
        if stated != tabled:
            yield RULE.finding(found.url, {"title": found.title, "what": _NAMES[key], "prose": match.group(0),
                                           "stated": stated, "table": tabled})


RULE = Rule(
    id="annual_report.text_mismatch",
    title="年度报告正文数字与表格不一致",
    severity=Severity.NOTICE,
    basis=BASIS,
    explanation="正文中“共收到政府信息公开申请××件”“上年结转××件”等数字与表三总计列对照。",
    messages={"default": "{title}正文写“{prose}”，表三{what}总计为 {table}"},
    check=check,
    advice="统一正文和表格的数字。",
    screenshot="full",
)
