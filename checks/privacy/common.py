"""What the privacy.* rules share: the pages whose text showed numbers of one kind, and the
finding of a page (masked numbers and masked context only)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from govaudit.checks.attachments import attachment_texts
from govaudit.checks.base import Outcome, Rule, RuleContext, Severity
from govaudit.checks.privacy.scan import Hit, PrivacyFacts, scan
from govaudit.crawler.snapshot import SiteSnapshot

BASIS_LEAK = ("国办秘函〔2019〕19号《政府网站与政务新媒体检查指标》单项否决指标“严重问题”（泄露个人信息）；"
              "《中华人民共和国个人信息保护法》第三十四条；《政府信息公开条例》第十五条")
_EXAMPLES = 5


def page_findings(snapshot: SiteSnapshot, context: RuleContext, rule: Rule, kind: str,
                  severity: Severity | None = None) -> Iterator[Outcome]:
    """One finding per page or downloaded attachment that showed numbers of `kind` (a
    PrivacyFacts field); not_checked when no page's text could be read."""
    analysed = 0
    for page in snapshot.pages.values():
        if getattr(page.facts, "analysed_for", None) is None:
            continue   # not HTML, did not load, or its analysis failed
        analysed += 1
        facts = getattr(page.facts, "privacy", None)
        hits: tuple[Hit, ...] = getattr(facts, kind) if isinstance(facts, PrivacyFacts) else ()
        if not hits:
            continue
        distinct = list(dict.fromkeys(h.masked for h in hits))
        finding = rule.finding(page.url, {
            "count": len(distinct), "examples": distinct[:_EXAMPLES],
            "contexts": [h.context for h in hits[:_EXAMPLES]], "title": page.title,
            "checked_at": page.fetch.fetched_at,
        })
        yield finding if severity is None or severity is finding.severity else replace(finding, severity=severity)
    for attachment in attachment_texts(snapshot, context):
        if attachment.text is None:
            continue
        hits = getattr(scan(attachment.text.split("\n"), context.today), kind)
        if hits:
            distinct = list(dict.fromkeys(h.masked for h in hits))
            finding = rule.finding(attachment.url, {
                "count": len(distinct), "examples": distinct[:_EXAMPLES], "contexts": [h.context for h in hits[:_EXAMPLES]],
                "title": attachment.name, "where": "附件"})
            yield finding if severity is None or severity is finding.severity else replace(finding, severity=severity)
    if not analysed:
        yield rule.not_checked("没有读到任何网页的文字，无法检查")
