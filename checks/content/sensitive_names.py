"""content.sensitive_names: a name on the office's list appears on a page (e.g. officials
removed from office still shown as serving leaders). No list is shipped: without
[content] sensitive_names_file the rule is not checked."""

from __future__ import annotations

from collections.abc import Iterator

from govaudit.checks.base import Outcome, Rule, RuleContext, Severity
from govaudit.checks.content.common import SEVERITIES, by_word, list_matches, with_severity
from govaudit.crawler.snapshot import SiteSnapshot


def check(snapshot: SiteSnapshot, context: RuleContext) -> Iterator[Outcome]:
    matches = list_matches(snapshot, context)
    if not matches.names_configured:
        yield RULE.not_checked("未配置敏感人名名单（[content] sensitive_names_file），未检查")
        return
    if matches.names_error:
        yield RULE.not_checked(f"名单有误，未检查：{matches.names_error}")
        return
    severity = SEVERITIES[context.config.content.sensitive_names_severity]
    for seen in by_word(matches.names):
        finding = RULE.finding(seen.pages[0], {"name": seen.word, "note": seen.hits[0].entry.note, "count": len(seen.hits),
                                               "title": seen.titles[0], "pages": seen.pages[:20],
                                               "pages_affected": len(seen.pages),
                                               "sentences": list(dict.fromkeys(h.sentence for h in seen.hits))[:3]})
        yield with_severity(finding, severity, RULE)


RULE = Rule(
    id="content.sensitive_names",
    title="出现名单中的人名",
    severity=Severity.NOTICE,
    basis="国办秘函〔2019〕19号《政府网站与政务新媒体检查指标》单项否决指标“严重问题”；本单位维护的敏感人名名单",
    explanation="网页文字中出现政务公开办维护的名单（[content] sensitive_names_file，如已免职、被查处人员）中的人名；"
                "不随附任何名单，未配置时不检查。出现不一定是错误（如通报中提及），由人工判断。",
    messages={"default": "网站 {pages_affected} 个页面出现名单中的人名“{name}”（共 {count} 处）{note}"},
    check=check,
    advice="核实人名出现的上下文：如仍作为在职领导展示，应及时更新。",
)
