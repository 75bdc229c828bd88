"""The texts the word-list rules read and their matches, computed once per judging for both
rules: every crawled HTML page whose body is kept (read again from the store: the lists are
the office's configuration, so matches cannot be computed at crawl time like the config-free
page facts) and every downloaded attachment. Only the matches are kept, never the texts."""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from govaudit.checks.attachments import attachment_texts
from govaudit.checks.base import Finding, Rule, RuleContext, Severity
from govaudit.checks.content.dictionary import Hit, ListError, WordList, file_entries, shipped_wording, word_list
from govaudit.checks.pagetext import nfkc
from govaudit.crawler.snapshot import SiteSnapshot

SEVERITIES = {"veto": Severity.VETO, "deduct": Severity.DEDUCT, "notice": Severity.NOTICE}
PageHits = tuple[str, str, dict[str, list[Hit]]]   # (URL, title, {matched word: its hits})
_HIDDEN = re.compile(r"(?is)<(script|style|noscript|template)\b.*?</\1\s*>|<!--.*?-->")
_TAG = re.compile(r"<[^>]*>")


@dataclass
class ListMatches:
    wording: list[PageHits] = field(default_factory=list)
    names: list[PageHits] = field(default_factory=list)
    wording_error: str = ""        # the list could not be read: the rule is not checked
    names_error: str = ""
    names_configured: bool = False


def list_matches(snapshot: SiteSnapshot, context: RuleContext) -> ListMatches:
    return context.models.get(_match, snapshot, context)


def _match(snapshot: SiteSnapshot, context: RuleContext) -> ListMatches:
    options = context.config.content
    result = ListMatches(names_configured=bool(options.sensitive_names_file))
    wording: WordList | None = None
    names: WordList | None = None
    try:
        wording = word_list(shipped_wording() + (file_entries(options.wording_file) if options.wording_file else ()),
                            segmented=True)
    except ListError as exc:
        result.wording_error = str(exc)
    if options.sensitive_names_file:
        try:
            names = word_list(file_entries(options.sensitive_names_file, names=True))
        except ListError as exc:
            result.names_error = str(exc)
    attachments = ((a.url, a.name, a.text) for a in attachment_texts(snapshot, context) if a.text is not None)
    for url, title, text in itertools.chain(page_texts(snapshot), attachments):
        for words, into in ((wording, result.wording), (names, result.names)):
            if words is None:
                continue
            found: dict[str, list[Hit]] = {}
            for hit in words.find(text):
                found.setdefault(hit.entry.wrong, []).append(hit)
            if found:
                into.append((url, title, found))
    return result


def page_texts(snapshot: SiteSnapshot) -> Iterator[tuple[str, str, str]]:
    """(URL, title, NFKC text) of each HTML page that loaded and whose body is kept. The text
    comes from the stored document by tag stripping, not by parsing it again: a site of 10,000
    pages must not be parsed twice (measured: parsing again cost a third of the audit's speed).
    Each tag ends a line, so a sentence never spans two elements."""
    for url, record in snapshot.pages.items():
        if not (record.is_html and record.fetch.ok):
            continue
        document = snapshot.bodies.document(url)
        if document:
            yield url, record.title, visible_text(document)


def visible_text(document: str) -> str:
    return nfkc(html.unescape(_TAG.sub("\n", _HIDDEN.sub(" ", document))))


def with_severity(finding: Finding, severity: Severity, rule: Rule) -> Finding:
    """The finding at the severity the office configured for its list."""
    return finding if severity is rule.severity else replace(finding, severity=severity)


@dataclass
class WordSeen:
    """One matched word across the site: the pages (and attachments) where it was seen."""

    word: str
    hits: list[Hit] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)


def by_word(pages: list[PageHits]) -> list[WordSeen]:
    """A template typo is one problem, not one per page: one entry per word, its pages listed."""
    seen: dict[str, WordSeen] = {}
    for url, title, found in pages:
        for word, hits in found.items():
            entry = seen.setdefault(word, WordSeen(word))
            entry.hits.extend(hits)
            entry.pages.append(url)
            entry.titles.append(title)
    return list(seen.values())
