"""disclosure.newmedia_list_missing: no published 政务新媒体 list (plan task 29)."""

from __future__ import annotations

from collections.abc import Iterator

from govaudit.checks.base import Outcome, Rule, RuleContext, Severity
from govaudit.checks.coverage import absence_unknown
from govaudit.checks.disclosure.common import model_and_column
from govaudit.checks.sitemodel.disclosure import newmedia_list
from govaudit.crawler.snapshot import SiteSnapshot


def check(snapshot: SiteSnapshot, context: RuleContext) -> Iterator[Outcome]:
    model, _ = model_and_column(snapshot, context)
    if newmedia_list(model).found:
        return
    unknown = absence_unknown(snapshot, context)
    if unknown:
        yield RULE.not_checked(unknown)
    else:
        yield RULE.finding(snapshot.start_url, {"searched": "链接文字含“政务新媒体”的栏目或文件"})


RULE = Rule(
    id="disclosure.newmedia_list_missing",
    title="未公开政务新媒体清单",
    severity=Severity.NOTICE,
    basis="国办发〔2018〕123号《关于推进政务新媒体健康有序发展的意见》",
    explanation="网站上应有名称含“政务新媒体”的清单（矩阵、名录）栏目或文件。",
    messages={"default": "网站上未见政务新媒体清单"},
    check=check,
    advice="公开本单位政务新媒体账号清单（名称、平台、二维码），账号开设或关停时及时更新。",
)
