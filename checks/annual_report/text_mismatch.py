"""annual_report.text_mismatch: a figure quoted in 一、总体情况 differs from 表三."""

from __future__ import annotations

import re
from collections.abc import Iterator

from govaudit.checks.annual_report.common import BASIS, FoundReport, judge_due_report
from govaudit.checks.annual_report.model import Cell, normalise
from govaudit.checks.base import Outcome, Rule, RuleContext, Severity
from govaudit.crawler.snapshot import SiteSnapshot

_CLAIMS = (("new", re.compile(r"(?:共|全年)?(?:收到|受理|新收)[^。，；\d]{0,14}?申请\s*(\d+)\s*件")),
           ("carried_in", re.compile(r"上年结转[^。，；\d]{0,8}?(\d+)\s*件")))
_NAMES = {"new": "本年新收申请", "carried_in": "上年结转申请"}


def check(snapshot: SiteSnapshot, context: RuleContext) -> Iterator[Outcome]:
    return judge_due_report(RULE, snapshot, context, judge)


def row_total(cells: list[Cell]) -> float | None:
    """A row's 总计: its last cell, or, left blank, the sum of the parts when every part is
    filled; None when that cannot be known."""
    if cells[-1].value is not None:
        return cells[-1].number
    parts = cells[:-1]
    return float(sum(cell.number for cell in parts)) if parts and all(c.value is not None for c in parts) else None


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
        stated, tabled = int(match.group(1)), row_total(cells)
        if tabled is None:
            yield RULE.not_checked(f"表三{_NAMES[key]}的总计栏空白，且各类申请人栏也有空白，无法与正文对照", found.url)
        elif stated != tabled:
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
