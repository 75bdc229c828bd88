"""identity.sponsor: the 网站主办单位 named at the bottom of every page."""

from __future__ import annotations

import re
from collections.abc import Iterator

from govaudit.checks.base import Outcome, Rule, RuleContext, Severity
from govaudit.checks.identity.marks import MarkResult, PageText, Status, footer_findings, register_judge
from govaudit.checks.options import Deduction
from govaudit.checks.pageread import PageRead
from govaudit.crawler.snapshot import SiteSnapshot

_SPONSOR = re.compile(r"主\s*办(?:单位)?\s*:?\s*[\u4e00-\u9fff（）()]{2,}")


def judge(page: PageRead, text: PageText) -> MarkResult:
    if _SPONSOR.search(text.footer) or _SPONSOR.search(text.whole):
        return MarkResult(Status.PRESENT)
    return MarkResult(Status.MISSING)


def check(snapshot: SiteSnapshot, context: RuleContext) -> Iterator[Outcome]:
    return footer_findings(RULE, snapshot, context)


RULE = Rule(
    id="identity.sponsor",
    title="未列明网站主办单位",
    severity=Severity.DEDUCT,
    basis="国办发〔2017〕47号《政府网站发展指引》（页面底部功能区列明网站主办单位）",
    explanation="页面底部应写明“主办：××”或“主办单位：××”。",
    messages={"missing": "{pages_affected}/{pages_checked} 个页面底部未列明网站主办单位"},
    check=check,
    points=Deduction(points=2.0, cap=2.0),
    screenshot="bottom",
)
register_judge(RULE, judge)
