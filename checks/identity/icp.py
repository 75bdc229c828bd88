"""identity.icp: the ICP备案编号, shaped <省简称>ICP备<digits>号(-n)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from govaudit.checks.base import Outcome, Rule, RuleContext, Severity
from govaudit.checks.identity.marks import MarkResult, PageText, Status, data, find_labelled, footer_findings, register_judge
from govaudit.checks.options import Deduction
from govaudit.checks.pageread import PageRead
from govaudit.crawler.snapshot import SiteSnapshot


@cache
def _valid() -> re.Pattern[str]:
    return re.compile(rf"[{data()['icp_provinces']}]\s*ICP\s*[备证]\s*\d{{5,10}}\s*号(?:\s*-\s*\d+)?", re.I)


def judge(page: PageRead, text: PageText) -> MarkResult:
    if _valid().search(text.whole):
        return MarkResult(Status.PRESENT)
    seen = find_labelled(text.footer.upper(), "ICP", span=16)
    if seen is not None:
        start = text.footer.upper().find("ICP")
        return MarkResult(Status.MALFORMED, text.footer[max(0, start - 2): start + 18].strip())
    return MarkResult(Status.MISSING)


def check(snapshot: SiteSnapshot, context: RuleContext) -> Iterator[Outcome]:
    return footer_findings(RULE, snapshot, context)


RULE = Rule(
    id="identity.icp",
    title="ICP备案编号缺失或格式错误",
    severity=Severity.DEDUCT,
    basis="国办发〔2017〕47号《政府网站发展指引》（页面底部功能区列明 ICP 备案编号）",
    explanation="页面底部应列明 ICP 备案编号，形如“粤ICP备12345678号”或“粤ICP备12345678号-1”。",
    messages={"missing": "{pages_affected}/{pages_checked} 个页面底部未列明 ICP 备案编号",
              "malformed": "{pages_affected}/{pages_checked} 个页面的 ICP 备案编号格式不正确：“{seen}”"
                           "（应形如“粤ICP备12345678号”）"},
    check=check,
    points=Deduction(points=2.0, cap=2.0),
    screenshot="bottom",
)
register_judge(RULE, judge)
