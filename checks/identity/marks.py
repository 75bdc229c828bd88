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
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import Enum
from functools import cache
from importlib import resources
from collections.abc import Callable
from typing import Any

import lxml.etree

from checks.base import Outcome, Rule
from checks.pagetext import VISIBLE_TEXT, nfkc, page_nodes
from crawler.snapshot import Page, SiteSnapshot

_MAX_PAGES_LISTED = 20
_ATTRIBUTES = lxml.etree.XPath("//@href | //@src | //@alt | //@title | //@id", smart_strings=False)
_IMAGE_TEXT = lxml.etree.XPath("//body//img/@alt | //body//img/@title | //body//a/@title", smart_strings=False)
_FRAME_TAGS = ("iframe", "frame")


@cache
def data() -> dict[str, Any]:
    return tomllib.loads(resources.files("checks.data").joinpath("identity.toml").read_text("utf-8"))


class Status(Enum):
    PRESENT = "present"
    MISSING = "missing"
    MALFORMED = "malformed"
    UNSURE = "unsure"


@dataclass(frozen=True)
class MarkResult:
    status: Status
    seen: str = ""      # the malformed text, or the footer snippet


@dataclass(frozen=True)
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


def page_text(page: Page) -> PageText:
    """Computed once per page and shared by the six identity rules (the crawl's analysis
    forgets it once their results are known: it is as large as the page)."""
    return page.memo(_TEXT_KEY, _page_text)


Judge = Callable[[Page, PageText], "MarkResult"]
# rule id -> its judge: what the crawl's page analysis runs on every page.
MARK_JUDGES: dict[str, Judge] = {}
_TEXT_KEY = "identity:text"
_SHARED_RESULTS: dict[MarkResult, MarkResult] = {}


def register_judge(rule: Rule, judge: Judge) -> None:
    MARK_JUDGES[rule.id] = judge


def mark_result(page: Page, rule_id: str, judge: Judge) -> MarkResult:
    if rule_id not in MARK_JUDGES:   # a judge not registered (tests): computed directly
        return judge(page, page_text(page))
    return _page_marks(page)[list(MARK_JUDGES).index(rule_id) + 1]  # type: ignore[return-value]


def script_footer(page: Page) -> bool:
    return bool(_page_marks(page)[0])


def _page_marks(page: Page) -> tuple[object, ...]:
    """(footer written by script?, one MarkResult per registered judge): one small tuple
    per page, whatever the number of pages."""
    def compute(p: Page) -> tuple[object, ...]:
        text = page_text(p)
        results = (judge(p, text) for judge in MARK_JUDGES.values())
        return (text.script_footer, *(_SHARED_RESULTS.setdefault(r, r) for r in results))

    return page.memo("identity", compute)


def analyse_marks(page: Page) -> None:
    """Every identity judge on the page while its tree is alive; keeps the small results."""
    _page_marks(page)
    page.forget(_TEXT_KEY)


def _page_text(page: Page) -> PageText:
    tree = page.tree
    if tree is None:
        return PageText("", "", False, False)
    body = tree.find("body")
    root = body if body is not None else tree
    visible = " ".join(page_nodes(page)) if body is not None else _visible_text(root)
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


def frame_urls(page: Page) -> list[str]:
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


def attributes_text(page: Page) -> str:
    """href/src/alt/title/id of every element: where badge images and scripts show."""
    tree = page.tree
    if tree is None:
        return ""
    return " ".join(_ATTRIBUTES(tree))


def audited_pages(snapshot: SiteSnapshot) -> list[Page]:
    """Pages a visitor opens by themselves: HTML, loaded, not iframe fragments."""
    return [p for p in snapshot.html_pages() if p.is_navigation_page]


def footer_findings(rule: Rule, snapshot: SiteSnapshot,
                    judge: Any) -> Iterator[Outcome]:
    """Run `judge(page, text) -> MarkResult` on every audited page; one finding per
    (status, malformed value) listing the pages, one not_checked for unsure pages."""
    groups: dict[tuple[Status, str], list[Page]] = {}
    unsure: list[Page] = []
    pages = audited_pages(snapshot)
    for page in pages:
        result = judged(page, rule.id, judge, snapshot.pages)
        if result.status is Status.PRESENT:
            continue
        if result.status is Status.UNSURE:
            unsure.append(page)
            continue
        groups.setdefault((result.status, result.seen), []).append(page)
    if not pages:
        yield rule.not_checked("没有可检查的页面")
    for (status, seen), group in groups.items():
        on_homepage = any(p.depth == 0 for p in group)
        first = next((p for p in group if p.depth == 0), group[0])
        evidence = {
            "pages_checked": len(pages), "pages_affected": len(group),
            "pages": [p.url for p in group[:_MAX_PAGES_LISTED]], "on_homepage": on_homepage,
            "seen": seen, "footer_text": page_text(first).footer[-300:], "checked_at": first.fetch.fetched_at,
            "view": "浏览器渲染后的页面" if any(p.rendered for p in group) else "页面源代码",
        }
        yield rule.finding(first.url, evidence, variant=status.value, on_homepage=on_homepage)
    if unsure:
        sample = "、".join(p.url for p in unsure[:3])
        why = next((n.detail for n in snapshot.notes if n.kind == "render_unavailable"), "未渲染")
        yield rule.not_checked(f"{len(unsure)} 个页面没有可读的页脚（由脚本生成或页面为空；{why}），无法判断（如 {sample}）")


def judged(page: Page, rule_id: str, judge: Judge, pages: Mapping[str, Page]) -> MarkResult:
    """The mark on `page` as a visitor sees it: on the page, else in one of its frames
    (`pages`: the crawled pages); missing on a page whose footer a script writes, and not
    rendered, is unknown."""
    result = mark_result(page, rule_id, judge)
    if result.status is Status.MISSING:
        result = _in_frames(page, rule_id, judge, pages) or result
    if result.status is Status.MISSING and script_footer(page) and not page.rendered:
        return MarkResult(Status.UNSURE, "页脚由脚本生成")
    return result


def _in_frames(page: Page, rule_id: str, judge: Judge, pages: Mapping[str, Page]) -> MarkResult | None:
    """The mark as the page's frames show it: present in one of them, or unknown when a
    frame was not fetched; None when the page has no frames."""
    results = []
    for url in frame_urls(page):
        frame = pages.get(url)
        if frame is None or not frame.is_html or not frame.fetch.ok:
            results.append(MarkResult(Status.UNSURE, url))
            continue
        results.append(mark_result(frame, rule_id, judge))   # judged once per frame, however many pages show it
    if any(r.status is Status.PRESENT for r in results):
        return MarkResult(Status.PRESENT)
    return next((r for r in results if r.status is Status.UNSURE), None)


def find_labelled(text: str, label: str, span: int = 30) -> str | None:
    """The footer text following `label` (for showing a malformed value), if the label is there."""
    index = text.find(label)
    if index < 0:
        return None
    return text[index: index + len(label) + span].strip()
