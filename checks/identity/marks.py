"""Finding the six identity marks in a page's footer area.

A mark counts as present when it is found anywhere in the page: its visible text, the
alt/title text of its images (marks shown as pictures), the 47号 meta tags (SiteIDCode), or
a frame the page shows its footer in (no false alarm when a footer is not where we look).
"Malformed" is said only of what stands in the footer area with the mark's label but not
its shape. A footer that script writes (a script named for it, or any script on a page
that shows no footer text at all) cannot be judged without rendering: not_checked.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import Enum
from functools import cache
from importlib import resources
from typing import Any

import lxml.etree

from govaudit.checks.base import Analyser, Outcome, Rule, RuleContext
from govaudit.checks.pageread import PageRead
from govaudit.checks.pagetext import VISIBLE_TEXT, nfkc
from govaudit.crawler.snapshot import PageRecord, SiteSnapshot

_MAX_PAGES_LISTED = 20
_ATTRIBUTES = lxml.etree.XPath("//@href | //@src | //@alt | //@title | //@id", smart_strings=False)
_IMAGE_TEXT = lxml.etree.XPath("//body//img/@alt | //body//img/@title | //body//a/@title", smart_strings=False)
_FRAME_TAGS = ("iframe", "frame")


@cache
def data() -> dict[str, Any]:
    return tomllib.loads(resources.files("govaudit.checks.data").joinpath("identity.toml").read_text("utf-8"))


class Status(Enum):
    PRESENT = "present"
    MISSING = "missing"
    MALFORMED = "malformed"
    UNSURE = "unsure"


@dataclass(frozen=True, slots=True)
class MarkResult:
    status: Status
    seen: str = ""      # the malformed text, or the footer snippet


@dataclass(frozen=True, slots=True)
class IdentityFacts:
    """The `identity` facts of a page: every identity judge's result on it."""

    script_footer: bool                         # a script writes the footer (or there is none to read)
    footer_tail: str                            # the end of its footer text (evidence)
    marks: tuple[tuple[str, MarkResult], ...]   # (rule id, result)

    def mark(self, rule_id: str) -> MarkResult | None:
        return next((result for rule, result in self.marks if rule == rule_id), None)


@dataclass(frozen=True, slots=True)
class PageText:
    """The text of a page (visible text, then the alt/title text of its images) and of its
    footer area, NFKC-normalised, and the 网站标识码 of its SiteIDCode meta tag."""

    whole: str
    footer: str
    footer_found: bool
    script_footer: bool
    meta_site_code: str = ""


def _normalise(text: str) -> str:
    return " ".join(nfkc(text).split())


def _visible_text(element: Any) -> str:
    parts = VISIBLE_TEXT(element)
    return _normalise(" ".join(parts))


@cache
def _footer_pattern() -> re.Pattern[str]:
    markers = "|".join(re.escape(m) for m in data()["footer_markers"])
    return re.compile(rf"(^|[\s_-])({markers})", re.I)


def _footer_elements(root: Any) -> list[Any]:
    """<footer> and elements whose id/class names a footer, outermost only."""
    pattern = _footer_pattern()
    found = [el for el in root.xpath(".//footer | .//*[@id or @class]")
             if el.tag == "footer" or pattern.search(f"{el.get('id', '')} {el.get('class', '')}")]
    chosen = set(found)
    return [el for el in found if not any(a in chosen for a in el.iterancestors())]


Judge = Callable[[PageRead, PageText], "MarkResult"]
# rule id -> its judge: what the `identity` analyser runs on every navigation page.
MARK_JUDGES: dict[str, Judge] = {}


def register_judge(rule: Rule, judge: Judge) -> None:
    MARK_JUDGES[rule.id] = judge


def analyse_identity(page: PageRead, today: object) -> IdentityFacts | None:
    """Every identity judge on the page (frame fragments too: a page may show its footer in one)."""
    if page.tree is None:
        return None
    text = page_text(page)
    return IdentityFacts(text.script_footer, text.footer[-300:],
                         tuple((rule_id, judge(page, text)) for rule_id, judge in MARK_JUDGES.items()))


ANALYSERS = (Analyser("identity", analyse_identity),)


def identity_facts(page: PageRecord) -> IdentityFacts | None:
    facts = getattr(page.facts, "identity", None)
    return facts if isinstance(facts, IdentityFacts) else None


def mark_result(page: PageRecord, rule_id: str) -> MarkResult:
    """The stored result of rule `rule_id`'s judge on `page` (unsure when not analysed)."""
    facts = identity_facts(page)
    result = facts.mark(rule_id) if facts is not None else None
    return result if result is not None else MarkResult(Status.UNSURE, "页面未经分析")


def script_footer(page: PageRecord) -> bool:
    facts = identity_facts(page)
    return facts is not None and facts.script_footer


def page_text(page: PageRead) -> PageText:
    tree = page.tree
    if tree is None:
        return PageText("", "", False, False)
    body = tree.find("body")
    root = body if body is not None else tree
    visible = " ".join(page.nodes) if body is not None else _visible_text(root)
    outermost = _footer_elements(root)
    footer = " ".join(_visible_text(el) for el in outermost)
    tail = visible[-int(data()["footer_tail_chars"]):]
    pictures = _normalise(" ".join(_IMAGE_TEXT(tree)))
    shows_footer = any(word in visible or word in pictures for word in data()["footer_words"])
    return PageText(whole=f"{visible} {pictures}".strip(), footer=f"{footer} {tail} {pictures}".strip(),
                    footer_found=bool(outermost),
                    # No footer to read: one a script writes, or an empty page (a glitch, not a page without marks).
                    script_footer=(_script_writes_footer(tree, footer) or (not shows_footer and _has_scripts(tree))
                                   or not visible.strip()),
                    meta_site_code=_meta_site_code(tree))


def _meta_site_code(tree: Any) -> str:
    for meta in tree.iter("meta"):
        if (meta.get("name") or "").lower() == "siteidcode":
            return "".join((meta.get("content") or "").split())
    return ""


def _has_scripts(tree: Any) -> bool:
    return any(script.get("src") or (script.text or "").strip() for script in tree.iter("script"))


def frame_urls(page: PageRecord) -> list[str]:
    """URLs of the frames a page shows (a footer may be one of them)."""
    return [link.url for link in page.links if link.tag in _FRAME_TAGS]


def _script_writes_footer(tree: Any, footer_text: str) -> bool:
    hints = data()["script_footer_hints"]
    for script in tree.iter("script"):
        src = (script.get("src") or "").lower()
        if any(h in src.rsplit("/", 1)[-1] for h in hints):
            return True
        inline = (script.text or "").lower()
        writes = "document.write" in inline or ".load(" in inline or "innerhtml" in inline
        if writes and any(h in inline for h in hints):
            return True
    return False


def attributes_text(page: PageRead) -> str:
    """href/src/alt/title/id of every element: where badge images and scripts show."""
    tree = page.tree
    if tree is None:
        return ""
    return " ".join(_ATTRIBUTES(tree))


def audited_pages(snapshot: SiteSnapshot) -> Iterator[PageRecord]:
    """Pages a visitor opens by themselves: HTML, loaded, not iframe fragments."""
    return (p for p in snapshot.html_pages() if p.is_navigation_page)


@dataclass
class _Group:
    """Pages with one (status, seen) result: counted whole, a few kept as evidence."""

    first: PageRecord
    count: int = 0
    urls: list[str] = field(default_factory=list)
    on_homepage: bool = False
    rendered: bool = False

    def add(self, page: PageRecord) -> None:
        self.count += 1
        if len(self.urls) < _MAX_PAGES_LISTED:
            self.urls.append(page.url)
        if page.depth == 0 and not self.on_homepage:
            self.first, self.on_homepage = page, True
        self.rendered = self.rendered or page.rendered


@dataclass
class _RuleMarks:
    """One identity rule's results over the site's audited pages."""

    groups: dict[tuple[Status, str], _Group] = field(default_factory=dict)
    unsure: list[str] = field(default_factory=list)    # a few, as examples
    unsure_count: int = 0


@dataclass
class _SiteMarks:
    checked: int = 0
    rules: dict[str, _RuleMarks] = field(default_factory=dict)


def _site_marks(snapshot: SiteSnapshot, context: RuleContext) -> _SiteMarks:
    """Every identity rule over every audited page, in one pass over the stored pages."""
    marks = _SiteMarks(rules={rule_id: _RuleMarks() for rule_id in MARK_JUDGES})
    for page in audited_pages(snapshot):
        marks.checked += 1
        for rule_id, found in marks.rules.items():
            result = judged(page, rule_id, snapshot.pages)
            if result.status is Status.PRESENT:
                continue
            if result.status is Status.UNSURE:
                found.unsure_count += 1
                if len(found.unsure) < 3:
                    found.unsure.append(page.url)
                continue
            key = (result.status, result.seen)
            group = found.groups.get(key)
            if group is None:
                group = found.groups[key] = _Group(page)
            group.add(page)
    return marks


def footer_findings(rule: Rule, snapshot: SiteSnapshot, context: RuleContext) -> Iterator[Outcome]:
    """The rule's judge on every audited page (as the analysis stored it); one finding per
    (status, malformed value) counting the pages, one not_checked for unsure pages."""
    site = context.models.get(_site_marks, snapshot, context)
    mine = site.rules.get(rule.id) or _RuleMarks()
    groups, unsure, unsure_count, checked = mine.groups, mine.unsure, mine.unsure_count, site.checked
    if not checked:
        yield rule.not_checked("没有可检查的页面")
    for (status, seen), group in groups.items():
        first = group.first
        facts = identity_facts(first)
        evidence = {
            "pages_checked": checked, "pages_affected": group.count,
            "pages": group.urls, "on_homepage": group.on_homepage,
            "seen": seen, "footer_text": facts.footer_tail if facts else "", "checked_at": first.fetch.fetched_at,
            "view": "浏览器渲染后的页面" if group.rendered else "页面源代码",
        }
        yield rule.finding(first.url, evidence, variant=status.value, on_homepage=group.on_homepage)
    if unsure_count:
        sample = "、".join(unsure)
        why = next((n.detail for n in snapshot.notes if n.kind == "render_unavailable"), "未渲染")
        yield rule.not_checked(f"{unsure_count} 个页面没有可读的页脚（由脚本生成或页面为空；{why}），无法判断（如 {sample}）")


def judged(page: PageRecord, rule_id: str, pages: Mapping[str, PageRecord]) -> MarkResult:
    """The mark on `page` as a visitor sees it: on the page, else in one of its frames
    (`pages`: the crawled pages); missing on a page whose footer a script writes, and not
    rendered, is unknown."""
    result = mark_result(page, rule_id)
    if result.status is Status.MISSING:
        result = _in_frames(page, rule_id, pages) or result
    if result.status is Status.MISSING and script_footer(page) and not page.rendered:
        return MarkResult(Status.UNSURE, "页脚由脚本生成")
    return result


def _in_frames(page: PageRecord, rule_id: str, pages: Mapping[str, PageRecord]) -> MarkResult | None:
    """The mark as the page's frames show it: present in one of them, or unknown when a
    frame was not fetched; None when the page has no frames."""
    results = []
    for url in frame_urls(page):
        frame = pages.get(url)
        if frame is None or not frame.is_html or not frame.fetch.ok:
            results.append(MarkResult(Status.UNSURE, url))
            continue
        results.append(mark_result(frame, rule_id))
    if any(r.status is Status.PRESENT for r in results):
        return MarkResult(Status.PRESENT)
    return next((r for r in results if r.status is Status.UNSURE), None)


def find_labelled(text: str, label: str, span: int = 30) -> str | None:
    """The footer text following `label` (for showing a malformed value), if the label is there."""
    index = text.find(label)
    if index < 0:
        return None
    return text[index: index + len(label) + span].strip()
