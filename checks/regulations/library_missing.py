"""regulations.library_missing: no 规章 / 规范性文件 library in the disclosure column (task 26)."""

from __future__ import annotations

from collections.abc import Iterator

from govaudit.checks.base import Outcome, Rule, RuleContext, Severity
from govaudit.checks.coverage import absence_unknown
from govaudit.checks.options import Deduction
from govaudit.checks.regulations.common import BASIS_ORDINANCE, LIBRARY_WORDS
from govaudit.checks.sitemodel.columns import site_model
from govaudit.checks.sitemodel.kind import duty_exempt
from govaudit.crawler.snapshot import SiteSnapshot


def check(snapshot: SiteSnapshot, context: RuleContext) -> Iterator[Outcome]:
    exempt = duty_exempt(snapshot, context, context.config.regulations.library_site_kinds,
                         "[regulations] library_site_kinds", "部门网站的规章、规范性文件一般由门户网站的文件库统一公开，默认不检查")
    if exempt:
        yield RULE.not_checked(exempt)
        return
    model = site_model(snapshot, context)
    if model.find_links(LIBRARY_WORDS):
        return
    unknown = absence_unknown(snapshot, context)
    if unknown:
        yield RULE.not_checked(unknown)
    else:
        yield RULE.finding(snapshot.start_url, {"searched": LIBRARY_WORDS})


RULE = Rule(
    id="regulations.library_missing",
    title="未设规章、规范性文件库",
    severity=Severity.DEDUCT,
    basis=BASIS_ORDINANCE + "第二十条第（一）项（行政法规、规章和规范性文件）",
    explanation="网站（政府信息公开专栏）应有名称含“规章”或“规范性文件”的文件库栏目，集中公开现行有效的规章和规范性文件。",
    messages={"default": "网站上没有找到规章、规范性文件库"},
    check=check,
    advice="在政府信息公开专栏“法定主动公开内容”下设置规章、规范性文件库，集中发布并标注有效性。",
    points=Deduction(points=2.0, cap=2.0),
    screenshot="top",
)
