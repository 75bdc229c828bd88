"""identity.contact: a way to contact the site (联系方式) at the bottom of every page."""

from __future__ import annotations

import re
from collections.abc import Iterator

from govaudit.checks.base import Outcome, Rule, RuleContext, Severity
from govaudit.checks.identity.marks import MarkResult, PageText, Status, data, footer_findings, register_judge
from govaudit.checks.pageread import PageRead
from govaudit.crawler.snapshot import SiteSnapshot

# Bounded repetitions: a page of one endless word must not make the search quadratic.
_NUMBER_OR_MAIL = re.compile(
    r"(?<!\d)(?:\(?0\d{2,3}[)-]?\d{7,8}|1[3-9]\d{9}|12345)(?!\d)|[\w.-]{1,64}@[\w-]{1,63}\.[\w.]{2,63}", re.ASCII)


def judge(page: PageRead, text: PageText) -> MarkResult:
    for source in (text.footer, text.whole):
        if any(word in source for word in data()["contact_keywords"]) or _NUMBER_OR_MAIL.search(source):
            return MarkResult(Status.PRESENT)
    return MarkResult(Status.MISSING)


def check(snapshot: SiteSnapshot, context: RuleContext) -> Iterator[Outcome]:
    return footer_findings(RULE, snapshot, context)


RULE = Rule(
    id="identity.contact",
    title="未列明联系方式",
    severity=Severity.NOTICE,
    basis="国办发〔2017〕47号《政府网站发展指引》（页面底部功能区列明联系方式）",
    explanation="页面底部应有联系方式（联系电话、邮箱、联系我们等）。",
    messages={"missing": "{pages_affected}/{pages_checked} 个页面未见联系方式"},
    check=check,
    screenshot="bottom",
)
register_judge(RULE, judge)
