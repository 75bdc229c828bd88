"""identity.site_code: the 网站标识码, 10 characters (10 digits, or bm + 8 digits)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from govaudit.checks.base import Outcome, Rule, RuleContext, Severity
from govaudit.checks.identity.marks import MarkResult, PageText, Status, footer_findings, register_judge
from govaudit.checks.options import Deduction
from govaudit.checks.pageread import PageRead
from govaudit.crawler.snapshot import SiteSnapshot

_LABELLED = re.compile(r"标识码\s*:?\s*([A-Za-z0-9]*)")
VALID_CODE = re.compile(r"^(\d{10}|bm\d{8})$", re.I)


def shown_codes(text: PageText) -> set[str]:
    """The well-formed 网站标识码 written on the page (not its meta tag)."""
    return {value.lower() for value in _LABELLED.findall(text.whole) if VALID_CODE.match(value)}


def judge(page: PageRead, text: PageText) -> MarkResult:
    for source in (text.footer, text.whole):
        if any(VALID_CODE.match(value) for value in _LABELLED.findall(source)):
            return MarkResult(Status.PRESENT)
    if VALID_CODE.match(text.meta_site_code):
        return MarkResult(Status.PRESENT)
    labelled = _LABELLED.search(text.footer)
    if labelled is not None:
        return MarkResult(Status.MALFORMED, labelled.group(0).strip())
    return MarkResult(Status.MISSING)


def check(snapshot: SiteSnapshot, context: RuleContext) -> Iterator[Outcome]:
    return footer_findings(RULE, snapshot, context)


RULE = Rule(
    id="identity.site_code",
    title="网站标识码缺失或格式错误",
    severity=Severity.DEDUCT,
    basis="国办发〔2017〕47号《政府网站发展指引》（页面底部功能区列明网站标识码）",
    explanation="页面底部应列明网站标识码：地方网站为 10 位数字，国务院部门为 bm 加 8 位数字。"
                "页面上的文字、图片说明文字（alt）或 SiteIDCode 元数据中有格式正确的标识码即视为已列明。",
    messages={"missing": "{pages_affected}/{pages_checked} 个页面底部未列明网站标识码",
              "malformed": "{pages_affected}/{pages_checked} 个页面的网站标识码格式不正确：“{seen}”（应为 10 位）"},
    check=check,
    points=Deduction(points=2.0, cap=2.0),
    screenshot="bottom",
)
register_judge(RULE, judge)
