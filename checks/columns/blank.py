"""columns.blank: a column with no content (空白栏目)."""

from __future__ import annotations

from collections.abc import Iterator

from govaudit.checks.base import Outcome, Rule, RuleContext, Severity
from govaudit.checks.columns.common import BASIS_19
from govaudit.checks.options import Deduction
from govaudit.checks.sitemodel.columns import site_model
from govaudit.crawler.snapshot import SiteSnapshot


def check(snapshot: SiteSnapshot, context: RuleContext) -> Iterator[Outcome]:
    model = site_model(snapshot, context)
    for column in model.columns.values():
        if column.blank:
            yield RULE.finding(column.url, {"column": column.name, "column_url": column.url,
                                            "text_seen": column.blank_text or "（除页面模板外没有文字）"})


RULE = Rule(
    id="columns.blank",
    title="空白栏目",
    severity=Severity.DEDUCT,
    basis=BASIS_19,
    explanation="栏目页除页面模板（导航、页脚等各页相同的文字）外没有内容，或显示“暂无信息”“栏目建设中”等，"
                "且没有列表、附件、嵌入页面。",
    messages={"default": "栏目“{column}”没有内容（{text_seen}）"},
    check=check,
    advice="为栏目补充内容；没有内容可发布的栏目应撤销或合并。",
    points=Deduction(points=2.0, cap=10.0),
    screenshot="top",
)
