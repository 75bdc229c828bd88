"""content.wording: a known-wrong wording on a page (19号 严重问题: serious wording errors).

The list is the shipped one (checks/data/wording.toml, each entry with its public source) and
the office's own ([content] wording_file, same format). An entry of the 严重 list is a veto by
default, of the 其他 list a notice ([content] wording_severe / wording_other). One finding per
wrong form (a typo in the site's template is one problem), with the pages it is on, the
sentences around it and the right form.
"""

from __future__ import annotations

from collections.abc import Iterator

from govaudit.checks.base import Outcome, Rule, RuleContext, Severity
from govaudit.checks.content.common import SEVERITIES, by_word, list_matches, with_severity
from govaudit.crawler.snapshot import SiteSnapshot

_SHOWN = 3
_PAGES = 20


def check(snapshot: SiteSnapshot, context: RuleContext) -> Iterator[Outcome]:
    matches = list_matches(snapshot, context)
    if matches.wording_error:
        yield RULE.not_checked(f"词表有误，未检查：{matches.wording_error}")
        return
    options = context.config.content
    severe, other = SEVERITIES[options.wording_severe], SEVERITIES[options.wording_other]
    for seen in by_word(matches.wording):
        entry = seen.hits[0].entry
        finding = RULE.finding(seen.pages[0], {
            "wrong": seen.word, "right": entry.right, "category": entry.category, "list": "严重" if entry.severe else "其他",
            "source": entry.source, "sentences": list(dict.fromkeys(h.sentence for h in seen.hits))[:_SHOWN],
            "count": len(seen.hits), "title": seen.titles[0], "pages": seen.pages[:_PAGES], "pages_affected": len(seen.pages),
        })
        yield with_severity(finding, severe if entry.severe else other, RULE)


RULE = Rule(
    id="content.wording",
    title="错误表述",
    severity=Severity.VETO,
    basis="国办秘函〔2019〕19号《政府网站与政务新媒体检查指标》单项否决指标“严重问题”（严重错别字、错误表述）",
    explanation="网页文字（NFKC 规范化后）中出现词表所列的错误写法：随附词表每条注明公开来源，另可在 [content] wording_file "
                "中加入本地区的领导人姓名职务、机构名称、地名等。“严重”词表默认单项否决，“其他”默认提示；"
                "包含在正确长词中的（如“按股分红”中的“股分”）和“应为”“更正”等更正说明中的不算。"
                "下载的附件（链接文字含“名单”“公示”等的 PDF、DOCX、XLSX）也检查。",
    messages={"default": "网站 {pages_affected} 个页面出现“{wrong}”，应为“{right}”（{category}，共 {count} 处）"},
    check=check,
    advice="核实后更正页面文字，并检查同一来源的其他页面。",
)
