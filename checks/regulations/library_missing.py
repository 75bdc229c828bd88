"""regulations.library_missing: no 规章 / 规范性文件 library in the disclosure column (task 26)."""

from __future__ import annotations

from collections.abc import Iterator

from checks.base import Outcome, Rule, RuleContext, Severity
from checks.disclosure.common import homepage_has_links
from checks.regulations.common import BASIS_ORDINANCE, LIBRARY_WORDS
from checks.sitemodel.columns import site_model
from crawler.snapshot import SiteSnapshot


def check(snapshot: SiteSnapshot, context: RuleContext) -> Iterator[Outcome]:
    if not homepage_has_links(snapshot):
        yield RULE.not_checked("首页没有可读的链接（可能由脚本生成），无法判断")
        return
    model = site_model(snapshot, context.today)
    if not model.find_links(LIBRARY_WORDS):
        yield RULE.finding(snapshot.start_url, {"searched": LIBRARY_WORDS})


RULE = Rule(
    id="regulations.library_missing",
    title="未设规章、规范性文件库",
    severity=Severity.DEDUCT,
    task="26",
    basis=BASIS_ORDINANCE + "第二十条第（一）项；珠高办〔2021〕50号 工作要点第26、27项",
    explanation="网站（政府信息公开专栏）应有名称含“规章”或“规范性文件”的文件库栏目，集中公开现行有效的规章和规范性文件。",
    messages={"default": "网站上没有找到规章、规范性文件库"},
    check=check,
    advice="在政府信息公开专栏“法定主动公开内容”下设置规章、规范性文件库，集中发布并标注有效性。",
)
