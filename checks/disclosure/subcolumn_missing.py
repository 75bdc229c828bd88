"""disclosure.subcolumn_missing: the column lacks 指南 / 制度 / 法定主动公开内容 / 年报."""

from __future__ import annotations

from collections.abc import Iterator

from govaudit.checks.base import Outcome, Rule, RuleContext, Severity
from govaudit.checks.disclosure.common import BASIS_ORDINANCE, COLUMN_MISSING_REASON, column_unreadable, model_and_column
from govaudit.checks.options import Deduction
from govaudit.checks.sitemodel.columns import data
from govaudit.checks.sitemodel.disclosure import subcolumns
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
    for sub in subcolumns(model):
        if not sub.found:
            entry = data()["subcolumns"][sub.key]
            yield RULE.finding(column.where or snapshot.start_url, {
                "which": sub.label, "column": column.where, "searched": [entry["name"], *entry["synonyms"]]})


RULE = Rule(
    id="disclosure.subcolumn_missing",
    title="专栏缺少必设子栏目",
    severity=Severity.DEDUCT,
    basis=BASIS_ORDINANCE + "第十二条、第二十条、第五十条；国办公开办函〔2019〕61号",
    explanation="政府信息公开专栏应设政府信息公开指南、政府信息公开制度、法定主动公开内容、政府信息公开年报四个栏目，"
                "按含义匹配（同义名称见 checks/data/disclosure.toml），在全站任何页面找到入口即视为具备。",
    messages={"default": "政府信息公开专栏缺少“{which}”栏目"},
    check=check,
    advice="按国办公开办函〔2019〕61号的要求，在专栏中设置该栏目并发布相应内容。",
    points=Deduction(points=1.0, cap=4.0),
)
