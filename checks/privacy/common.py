"""What the privacy.* rules share: the pages whose text showed numbers of one kind, and the
finding of a page (masked numbers and masked context only)."""

from __future__ import annotations

from collections.abc import Iterator

from govaudit.checks.attachments import attachment_texts
from govaudit.checks.base import Finding, Outcome, Rule, RuleContext, Severity
from govaudit.checks.content.common import with_severity
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
        if isinstance(facts, PrivacyFacts) and getattr(facts, kind):
            yield _finding(rule, page.url, getattr(facts, kind), severity,
                           {"title": page.title, "checked_at": page.fetch.fetched_at})
    for url, name, facts in attachment_scans(snapshot, context):
        if getattr(facts, kind):
            yield _finding(rule, url, getattr(facts, kind), severity, {"title": name, "where": "附件"})
    if not analysed:
        yield rule.not_checked("没有读到任何网页的文字，无法检查")


def attachment_scans(snapshot: SiteSnapshot, context: RuleContext) -> list[tuple[str, str, PrivacyFacts]]:
    """(URL, file name, what it showed) of each readable attachment, scanned once per judging
    for the three rules."""
    return context.models.get(_scan_attachments, snapshot, context)


def _scan_attachments(snapshot: SiteSnapshot, context: RuleContext) -> list[tuple[str, str, PrivacyFacts]]:
    return [(a.url, a.name, scan(a.text.split("\n"), context.today))
            for a in attachment_texts(snapshot, context) if a.text is not None]


def _finding(rule: Rule, url: str, hits: tuple[Hit, ...], severity: Severity | None, extra: dict[str, object]) -> Finding:
    distinct = list(dict.fromkeys(h.masked for h in hits))
    finding = rule.finding(url, {"count": len(distinct), "examples": distinct[:_EXAMPLES],
                                 "contexts": [h.context for h in hits[:_EXAMPLES]], **extra})
    return finding if severity is None else with_severity(finding, severity, rule)
