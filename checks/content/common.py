"""The page texts the word-list rules read: every crawled HTML page whose body is kept, read
again from the store while judging (the lists are the office's configuration, so matches
cannot be computed once at crawl time like the config-free page facts)."""

from __future__ import annotations

from collections.abc import Iterator

from govaudit.checks.base import Finding, Rule, Severity
from govaudit.checks.content.dictionary import Hit, WordList
from govaudit.checks.pageread import read_page
from govaudit.crawler.snapshot import SiteSnapshot

SEVERITIES = {"veto": Severity.VETO, "deduct": Severity.DEDUCT, "notice": Severity.NOTICE}


def page_texts(snapshot: SiteSnapshot) -> Iterator[tuple[str, str, str]]:
    """(URL, title, NFKC text) of each HTML page that loaded and whose body is kept."""
    for url, record in snapshot.pages.items():
        if not (record.is_html and record.fetch.ok):
            continue
        page = read_page(snapshot, url)
        if page is None or page.tree is None:
            continue
        yield url, record.title, "\n".join(page.nodes)


def hits_by_page(snapshot: SiteSnapshot, words: WordList) -> Iterator[tuple[str, str, dict[str, list[Hit]]]]:
    """(URL, title, {matched word: its hits}) of every page where the list matched."""
    for url, title, text in page_texts(snapshot):
        found: dict[str, list[Hit]] = {}
        for hit in words.find(text):
            found.setdefault(hit.entry.wrong, []).append(hit)
        if found:
            yield url, title, found


def with_severity(finding: Finding, severity: Severity, rule: Rule) -> Finding:
    """The finding at the severity the office configured for its list."""
    from dataclasses import replace

    return finding if severity is rule.severity else replace(finding, severity=severity)
