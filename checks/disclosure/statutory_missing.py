"""disclosure.statutory_missing: a 第二十条 (and for city/county units 第二十一条) category of
法定主动公开内容 has no column or document on the site."""

from __future__ import annotations

from collections.abc import Iterator

from govaudit.checks.base import Outcome, Rule, RuleContext, Severity
from govaudit.checks.coverage import absence_unknown
from govaudit.checks.disclosure.common import BASIS_ORDINANCE, COLUMN_MISSING_REASON, column_unreadable, model_and_column
from govaudit.checks.options import Deduction
from govaudit.checks.sitemodel.disclosure import statutory_categories
from govaudit.checks.sitemodel.kind import duty_exempt
from govaudit.crawler.snapshot import SiteSnapshot


def check(snapshot: SiteSnapshot, context: RuleContext) -> Iterator[Outcome]:
    exempt = duty_exempt(snapshot, context, context.config.disclosure.statutory_site_kinds,
                         "[disclosure] statutory_site_kinds", "部门网站按职能公开，默认不逐项检查第二十条")
    if exempt:
        yield RULE.not_checked(exempt)
        return
    model, column = model_and_column(snapshot, context)
    if not column.found:
        yield RULE.not_checked(COLUMN_MISSING_REASON)
        return
    unreadable = column_unreadable(snapshot, column, context) or absence_unknown(snapshot, context)
    if unreadable:
        yield RULE.not_checked(unreadable, column.where)
        return
    article_21 = context.site is not None and context.site.admin_level in ("city", "county")
    for category in statutory_categories(model, article_21):
        if not category.found:
            yield RULE.finding(column.where or snapshot.start_url, {"item": category.key, "title": category.label})


RULE = Rule(
    id="disclosure.statutory_missing",
    title="法定主动公开内容缺项",
    severity=Severity.DEDUCT,
    basis=BASIS_ORDINANCE + "第二十条、第二十一条",
    explanation="按条例第二十条第（一）至（十四）项（第十五项为兜底条款，不单独检查），以及市、县级单位的第二十一条，"
                "逐类在全站栏目和文件标题中查找；有对应栏目或文件即视为已公开，并在报告清单中写明在哪里找到。",
    messages={"default": "法定主动公开内容未见{item}：{title}"},
    check=check,
    advice="在“法定主动公开内容”下设置对应栏目并发布信息；确实不涉及的，可在栏目中说明。",
    points=Deduction(points=0.5, cap=5.0),
)
