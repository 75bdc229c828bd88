"""Items of list pages (栏目 lists): title, URL and the date the row shows.

A list is a container (ul, table, dl, div) holding two or more rows that each carry one
article-like link (a title of several characters), or a row with a date. A row is the
largest element around a link that holds no other item link: an <li>, a <tr>, a
<ul class="odd"> of cells, a <div class="item">, whatever the CMS uses. Its date is read
from its text outside the link, else from date-only text inside the link (title and date
as two spans of one <a>). Rows inside navigation, header and footer areas are not items.

Each item says what was seen: a date, no date-like text at all (positive evidence that
the row is undated), or date-like text that could not be read (unknown, never "undated").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from itertools import islice
from typing import Any

from govaudit.checks.pageread import PageRead
from govaudit.checks.pagetext import VISIBLE_TEXT
from govaudit.checks.sitemodel.dates import FoundDate, first_date, looks_like_date, year_heading
from govaudit.crawler.extract import base_url
from govaudit.crawler.urls import LinkTarget, resolve_link

_CHROME = re.compile(r"(^|[\s_-])(nav|menu|daohang|header|head|top|banner|foot|footer|bottom|copyright|"
                     r"crumb|position|location|dqwz)", re.I)
_PAGINATION = {"下一页", "下页", "上一页", "上页", "尾页", "末页", "›", "»", ">", "<", "«", "‹", ">>", "<<"}
_NEXT_PAGES = {"下一页", "下页", "尾页", "末页", "›", "»", ">", ">>"}
_MIN_TITLE = 6
# How far above its link a row may start (li > div > a, td > tr, ul.odd > li > a ...).
_MAX_ROW_LEVELS = 4
# Text inside a link this short, and date-shaped, is a date block, not part of the title.
_MAX_DATE_BLOCK = 12
# Elements after a link that is its own row, read for its date (<a>…</a><span>date</span><br>).
_MAX_SIBLINGS_READ = 3


@dataclass(frozen=True, slots=True)
class Item:
    title: str
    url: str
    date: FoundDate | None
    # The row shows date-like text that could not be read as a date: its date is unknown.
    date_unreadable: bool = False

    @property
    def date_is_guess(self) -> bool:
        """The year of the date was inferred, not shown (MM-DD with no year on the page)."""
        return self.date is not None and self.date.source == "list_inferred_year"

    @property
    def date_known(self) -> bool:
        return self.date is not None and not self.date_is_guess

    @property
    def positively_undated(self) -> bool:
        """The row was read and carries no date-like text at all."""
        return self.date is None and not self.date_unreadable


def visible_text(element: Any) -> str:
    parts = VISIBLE_TEXT(element)
    return " ".join(" ".join(parts).split())


def in_page_chrome(element: Any) -> bool:
    for node in (element, *element.iterancestors()):
        if not isinstance(node.tag, str):
            continue
        if node.tag in ("nav", "header", "footer"):
            return True
        if _CHROME.search(f"{node.get('id', '')} {node.get('class', '')}"):
            return True
    return False


def _rows(anchors: list[Any]) -> dict[Any, Any]:
    """anchor -> its row: the highest ancestor (within _MAX_ROW_LEVELS) that holds no other
    candidate link; the anchor itself when its parent holds others too (links one after
    another in a single <p> or <td>)."""
    holding: dict[Any, int] = {}
    for anchor in anchors:
        for level, ancestor in enumerate(anchor.iterancestors()):
            if level > _MAX_ROW_LEVELS or ancestor.tag in ("body", "html"):
                break
            holding[ancestor] = holding.get(ancestor, 0) + 1
    rows = {}
    for anchor in anchors:
        row = anchor
        for level, ancestor in enumerate(anchor.iterancestors()):
            if level > _MAX_ROW_LEVELS or holding.get(ancestor, 0) != 1:
                break
            row = ancestor
        rows[anchor] = row
    return rows


def _text_outside(row: Any, anchor: Any) -> str:
    """The visible text of `row` without the text of `anchor` (its title); for a link that
    is its own row, the text that follows it up to the next element that holds a link."""
    if row is anchor:
        return _text_after(anchor)
    inside = set(anchor.iter())
    parts = []
    for element in row.iter():
        if isinstance(element.tag, str) and element not in inside and element.tag not in ("script", "style"):
            parts.append(element.text or "")
        if element is not row and element.getparent() not in inside:
            parts.append(element.tail or "")
    return " ".join(" ".join(parts).split())


def _text_after(anchor: Any) -> str:
    parts = [anchor.tail or ""]
    for sibling in islice(anchor.itersiblings(), _MAX_SIBLINGS_READ):
        if not isinstance(sibling.tag, str) or sibling.tag == "a" or sibling.find(".//a") is not None:
            break
        if sibling.tag not in ("script", "style"):
            parts.append(sibling.text_content())
        parts.append(sibling.tail or "")
    return " ".join(" ".join(parts).split())


def _split_anchor_text(anchor: Any) -> tuple[str, str]:
    """(title text, date blocks) of a link: short date-shaped text nodes are date blocks."""
    title, dates = [], []
    for text in VISIBLE_TEXT(anchor):
        text = " ".join(text.split())
        bare = text.strip("[]【】()（） ")
        if not bare:
            continue
        if len(bare) <= _MAX_DATE_BLOCK and (bare.isdigit() and len(bare) <= 2 or looks_like_date(bare)):
            dates.append(bare)
        else:
            title.append(text)
    return " ".join(title), " ".join(dates)


def _year_above(container: Any) -> int | None:
    """A heading such as "2025年" just before the list (or before its parent)."""
    for node in (container, container.getparent()):
        if node is None:
            continue
        for sibling in list(node.itersiblings(preceding=True))[:3]:
            if isinstance(sibling.tag, str):
                year = year_heading(visible_text(sibling))
                if year:
                    return year
    return None


def is_pagination_text(text: str) -> bool:
    text = text.strip().strip("[]")
    return text.isdigit() or text in _PAGINATION


def _candidates(tree: Any, base: str) -> list[tuple[Any, str, str, str]]:
    """(anchor, title, URL, date blocks inside the anchor) of every article-like link."""
    found = []
    seen: set[str] = set()
    for anchor in tree.iter("a"):
        href = anchor.get("href")
        if href is None:
            continue
        target = resolve_link(base, href)
        if target.target is not LinkTarget.HTTP or not target.url or target.url in seen:
            continue
        shown, date_blocks = _split_anchor_text(anchor)
        title = " ".join((anchor.get("title") or shown).split())
        if len(title) < _MIN_TITLE or is_pagination_text(title) or in_page_chrome(anchor):
            continue
        found.append((anchor, title, target.url, date_blocks))
        seen.add(target.url)
    return found


def item_rows(page: PageRead) -> list[tuple[Any, Any, str, str, str]]:
    """(row element, anchor, title, URL, date blocks inside the anchor) of the page's
    article-like links, in document order. Shared by list items and message lists."""
    tree = page.tree
    if tree is None:
        return []
    candidates = _candidates(tree, base_url(tree, page.fetch.final_url))
    rows = _rows([anchor for anchor, *_ in candidates])
    return [(rows[anchor], anchor, title, url, blocks) for anchor, title, url, blocks in candidates]


def list_items(page: PageRead, today: date) -> list[Item]:
    groups: dict[Any, list[Item]] = {}
    for row, anchor, title, url, date_blocks in item_rows(page):
        outside = _text_outside(row, anchor)
        container = row.getparent() if row.getparent() is not None else row
        year = _year_above(container)
        found = first_date(outside, today=today, year_hint=year)
        if found is None and date_blocks:
            found = first_date(date_blocks, today=today, year_hint=year)
        unreadable = found is None and looks_like_date(f"{outside} {date_blocks}")
        groups.setdefault(container, []).append(Item(title, url, found, unreadable))
    items: list[Item] = []
    for entries in groups.values():
        if len(entries) >= 2 or any(item.date for item in entries):
            items.extend(entries)
    return items


def next_pages(page: PageRead) -> list[str]:
    """URLs of the further pages of a paginated list (下一页, 2, 3, 尾页 ...)."""
    found = []
    for link in page.links:
        text = link.text.strip().strip("[]")
        if link.tag == "a" and (text in _NEXT_PAGES or (text.isdigit() and int(text) >= 2)):
            found.append(link.url)
    return found
