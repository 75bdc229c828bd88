"""identity.sponsor: the 网站主办单位 named at the bottom of every page, in any of the common
phrasings (checks/data/identity.toml: a label before the name, or "主办" after it)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from govaudit.checks.base import Outcome, Rule, RuleContext, Severity
from govaudit.checks.identity.marks import MarkResult, PageText, Status, data, footer_findings, register_judge
from govaudit.checks.options import Deduction
from govaudit.checks.pageread import PageRead
from govaudit.crawler.snapshot import SiteSnapshot

_NAME = r"[\u4e00-\u9fff（）()、]"


@cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    labels = "|".join(re.escape(label) for label in data()["sponsor_labels"])
    # A label starts the text, or is followed by a colon ("XX主办 YY承办" is the suffix form).
    before = re.compile(rf"(?:(?<!{_NAME})(?:{labels})\s*[:：]?|(?:{labels})\s*[:：])\s*(?!单位)({_NAME}{{2,60}})")
    after = re.compile(rf"(?<!{_NAME})({_NAME}{{2,60}}?)\s*主\s*办(?!\s*单位)")
    return before, after


def sponsor_name(text: str) -> str | None:
    """The sponsor a footer names, however it is phrased; None when it names none."""
    before, after = _patterns()
    for match in before.finditer(text):
        if _suffix_form(text, match):
            continue
        name = _cut_at_stop(match.group(1))
        if len(name) >= 2:
            return name
    for match in after.finditer(text):
        name = _after_lead(match.group(1))
        if len(name) >= 2:
            return name
    return None


def _suffix_form(text: str, match: re.Match[str]) -> bool:
    """"XX 主办 YY承办": a label with no colon right after a name closes that name (the
    spaces are only where elements met)."""
    if re.search(r"[:：]", match.group(0)):
        return False
    before = text[:match.start()].rstrip()
    return bool(before) and re.match(_NAME, before[-1]) is not None


def _cut_at_stop(name: str) -> str:
    stops = [name.find(word) for word in data()["sponsor_name_stops"] if name.find(word) >= 0]
    return (name[:min(stops)] if stops else name).strip("、（( ")


def _after_lead(name: str) -> str:
    """The name without what stands before it in the suffix form ("版权所有XX主办" -> "XX")."""
    leads = data()["sponsor_name_leads"]
    while (lead := next((lead for lead in leads if name.startswith(lead)), None)) is not None:
        name = name[len(lead):]
    return name


def judge(page: PageRead, text: PageText) -> MarkResult:
    name = sponsor_name(text.footer) or sponsor_name(text.whole)
    return MarkResult(Status.PRESENT, name) if name else MarkResult(Status.MISSING)


def check(snapshot: SiteSnapshot, context: RuleContext) -> Iterator[Outcome]:
    return footer_findings(RULE, snapshot, context)


RULE = Rule(
    id="identity.sponsor",
    title="未列明网站主办单位",
    severity=Severity.DEDUCT,
    basis="国办发〔2017〕47号《政府网站发展指引》（页面底部功能区列明网站主办单位）",
    explanation="页面底部应写明网站主办单位：“主办：××”“主办单位：××”“××主办”等写法均可（含图片的说明文字）。",
    messages={"missing": "{pages_affected}/{pages_checked} 个页面底部未列明网站主办单位"},
    check=check,
    points=Deduction(points=2.0, cap=2.0),
    screenshot="bottom",
)
register_judge(RULE, judge)
