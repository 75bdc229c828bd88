"""identity.police: the 公安机关备案 number, shaped <省简称>公网安备 <14 digits>号. Many real
sites leave out the final 号: that is the same number, not a malformed one."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from govaudit.checks.base import Outcome, Rule, RuleContext, Severity
from govaudit.checks.identity.marks import MarkResult, PageText, Status, data, find_labelled, footer_findings, register_judge
from govaudit.checks.options import Deduction
from govaudit.checks.pageread import PageRead
from govaudit.crawler.snapshot import SiteSnapshot

_LABELS = ("公网安备", "公安备案", "网安备")


@cache
def _valid() -> re.Pattern[str]:
    return re.compile(rf"[{data()['police_provinces']}]\s*公网安备\s*\d{{14}}(?!\d)")


def judge(page: PageRead, text: PageText) -> MarkResult:
    if _valid().search(text.whole):
        return MarkResult(Status.PRESENT)
    for label in _LABELS:
        index = text.footer.find(label)
        if index >= 0 and find_labelled(text.footer, label) is not None:
            return MarkResult(Status.MALFORMED, text.footer[max(0, index - 1): index + len(label) + 20].strip())
    return MarkResult(Status.MISSING)


def check(snapshot: SiteSnapshot, context: RuleContext) -> Iterator[Outcome]:
    return footer_findings(RULE, snapshot, context)


RULE = Rule(
    id="identity.police",
    title="公安机关备案编号缺失或格式错误",
    severity=Severity.DEDUCT,
    basis="国办发〔2017〕47号《政府网站发展指引》（页面底部功能区列明公安机关备案标识）",
    explanation="页面底部应列明公安机关备案编号，形如“粤公网安备 44040202000001号”（14 位数字）。",
    messages={"missing": "{pages_affected}/{pages_checked} 个页面底部未列明公安机关备案编号",
              "malformed": "{pages_affected}/{pages_checked} 个页面的公安机关备案编号格式不正确：“{seen}”"
                           "（应为省简称 + 公网安备 + 14 位数字）"},
    check=check,
    points=Deduction(points=2.0, cap=2.0),
    screenshot="bottom",
)
register_judge(RULE, judge)
