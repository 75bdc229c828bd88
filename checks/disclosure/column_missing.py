"""disclosure.column_missing: no 政府信息公开 column reachable from the homepage."""

from __future__ import annotations

from collections.abc import Iterator

from govaudit.checks.base import Outcome, Rule, RuleContext, Severity
from govaudit.checks.coverage import near_home_unknown
from govaudit.checks.disclosure.common import BASIS_ORDINANCE, homepage_has_links, model_and_column
from govaudit.checks.options import Deduction
from govaudit.checks.sitemodel.columns import data
from govaudit.crawler.snapshot import SiteSnapshot


def check(snapshot: SiteSnapshot, context: RuleContext) -> Iterator[Outcome]:
    if not homepage_has_links(snapshot):
        yield RULE.not_checked("首页没有可读的链接（可能由脚本生成），无法判断是否有专栏")
        return
    _, column = model_and_column(snapshot, context)
    if not column.found:
        unread = near_home_unknown(snapshot, context)
        if unread:
            yield RULE.not_checked(f"首页上没有专栏入口，{unread}")
            return
        yield RULE.finding(snapshot.start_url, {"searched": data()["disclosure_column"]}, on_homepage=True)


RULE = Rule(
    id="disclosure.column_missing",
    title="未设置政府信息公开专栏",
    severity=Severity.DEDUCT,
    basis=BASIS_ORDINANCE + "第二十三条；国办公开办函〔2019〕61号",
    explanation="首页或首页下一层页面上应有名为“政府信息公开”（或同义名称）的专栏入口。",
    messages={"default": "首页及其下一层页面上没有找到政府信息公开专栏的入口"},
    check=check,
    advice="在门户网站首页显著位置设置“政府信息公开”专栏入口。",
    points=Deduction(points=5.0, cap=5.0),
)
