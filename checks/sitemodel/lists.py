"""Items of list pages (栏目 lists): title, URL and the date the row shows.

A list is a container (ul, table, dl, div) holding two or more rows that each carry one
article-like link (a title of several characters), or a row with a date. Rows inside
navigation, header and footer areas are not items.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from checks.pagetext import VISIBLE_TEXT
from checks.sitemodel.dates import FoundDate, first_date, year_heading
from crawler.extract import base_url
from crawler.snapshot import Page
from crawler.urls import LinkTarget, resolve_link

_ROW_TAGS = ("li", "tr", "dd", "dt", "p")
_CHROME = re.compile(r"(^|[\s_-])(nav|menu|daohang|header|head|top|banner|foot|footer|bottom|copyright|"
                     r"crumb|position|location|dqwz)", re.I)
_PAGINATION = {"下一页", "下页", "上一页", "上页", "尾页", "末页", "›", "»", ">", "<", "«", "‹", ">>", "<<"}
_NEXT_PAGES = {"下一页", "下页", "尾页", "末页", "›", "»", ">", ">>"}
_MIN_TITLE = 6


@dataclass(frozen=True)
class Item:
    title: str
    url: str
    date: FoundDate | None


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


def _row_of(anchor: Any) -> Any:
    node = anchor
    for _ in range(3):
        parent = node.getparent()
        if parent is None:
            break
        node = parent
        if node.tag in _ROW_TAGS:
            return node
    return anchor.getparent() if anchor.getparent() is not None else anchor


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


def list_items(page: Page, today: date) -> list[Item]:
    tree = page.tree
    if tree is None:
        return []
    base = base_url(tree, page.fetch.final_url)
    rows: dict[Any, list[tuple[Any, Item]]] = {}
    seen: set[str] = set()
    for anchor in tree.iter("a"):
        href = anchor.get("href")
        if href is None:
            continue
        target = resolve_link(base, href)
        if target.target is not LinkTarget.HTTP or not target.url or target.url in seen:
            continue
        title = " ".join((anchor.get("title") or visible_text(anchor)).split())
        if len(title) < _MIN_TITLE or is_pagination_text(title) or in_page_chrome(anchor):
            continue
        row = _row_of(anchor)
        rest = visible_text(row).replace(visible_text(anchor), " ")
        container = row.getparent() if row.getparent() is not None else row
        found = first_date(rest, today=today, year_hint=_year_above(container))
        rows.setdefault(container, []).append((row, Item(title, target.url, found)))
        seen.add(target.url)
    items: list[Item] = []
    for entries in rows.values():
        if len(entries) >= 2 or any(item.date for _, item in entries):
            items.extend(item for _, item in entries)
    return items


def next_pages(page: Page) -> list[str]:
    """URLs of the further pages of a paginated list (下一页, 2, 3, 尾页 ...)."""
    found = []
    for link in page.links:
        text = link.text.strip().strip("[]")
        if link.tag == "a" and (text in _NEXT_PAGES or (text.isdigit() and int(text) >= 2)):
            found.append(link.url)
    return found
