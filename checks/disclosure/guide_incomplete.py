"""disclosure.guide_incomplete: the 指南 lacks an element 第十二条 requires."""

from __future__ import annotations

from collections.abc import Iterator

from govaudit.checks.base import Outcome, Rule, RuleContext, Severity
from govaudit.checks.disclosure.common import BASIS_ORDINANCE, COLUMN_MISSING_REASON, column_unreadable, model_and_column
from govaudit.checks.options import Deduction
from govaudit.checks.sitemodel.disclosure import guide_elements, subcolumns
from govaudit.crawler.snapshot import SiteSnapshot


def check(snapshot: SiteSnapshot, context: RuleContext) -> Iterator[Outcome]:
    model, column = model_and_column(snapshot, context)
    if not column.found:
        yield RULE.not_checked(COLUMN_MISSING_REASON)
        return
    unreadable = column_unreadable(snapshot, column, context)
    if unreadable:
        yield RULE.not_checked(unreadable, column.where)
        return
    guide = next(s for s in subcolumns(model) if s.key == "guide")
    why_not, elements = guide_elements(model, snapshot, guide)
    if why_not:
        yield RULE.not_checked(why_not, guide.where)
        return
    missing = [e.label for e in elements if not e.found]
    if missing:
        yield RULE.finding(guide.where or snapshot.start_url, {
            "guide": guide.where, "missing": missing,
            "elements": {e.label: "有" if e.found else "未见" for e in elements}})


RULE = Rule(
    id="disclosure.guide_incomplete",
    title="政府信息公开指南要素不全",
    severity=Severity.DEDUCT,
    basis=BASIS_ORDINANCE + "第十二条",
    explanation="指南应写明信息的分类、编排体系、获取方式，以及工作机构的名称、办公地址、办公时间、联系电话、传真号码、"
                "互联网联系方式；逐项在指南正文中查找。",
    messages={"default": "政府信息公开指南未见以下要素：{missing}"},
    check=check,
    advice="按条例第十二条补全指南，并在机构、地址、电话等变化时及时更新。",
    points=Deduction(points=0.5, cap=3.0),
)
