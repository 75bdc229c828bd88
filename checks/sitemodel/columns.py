"""The site's structure as the crawl saw it: columns (栏目) with their names, pages, items
and newest dates, and the homepage's own items. Built once per snapshot, shared by rules.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

from checks.sitemodel.dates import FoundDate, article_date
from checks.sitemodel.documents import DocumentMeta, document_meta
from checks.sitemodel.lists import Item, list_items, next_pages
from crawler.snapshot import Page, SiteSnapshot
from crawler.urls import origin_key

_ARTICLE_URL = re.compile(r"/t\d{8}_|/content_\d+|/art/\d{4}/|/\d{4}-\d{2}/\d{2}/")
_INDEX_PAGE = re.compile(r"^(.*/index)_(\d+)(\.s?html?)$")


@cache
def data() -> dict[str, Any]:
    return tomllib.loads(resources.files("checks.data").joinpath("disclosure.toml").read_text("utf-8"))


def squeeze(text: str) -> str:
    return "".join(text.split())


def matches(text: str, words: list[str]) -> bool:
    flat = squeeze(text)
    return any(squeeze(word) in flat for word in words)


def column_class(name: str) -> str:
    for klass, words in data()["column_classes"].items():
        if matches(name, words):
            return klass
    return "other"


@dataclass
class Column:
    url: str
    name: str
    depth: int
    parent: str | None
    klass: str
    pages: list[str] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    blank: bool = False
    blank_text: str = ""
    script_list: bool = False

    @property
    def dated(self) -> list[Item]:
        return [i for i in self.items if i.date is not None]

    @property
    def newest(self) -> Item | None:
        dated = self.dated
        return max(dated, key=lambda i: i.date.value) if dated else None  # type: ignore[union-attr]

    @property
    def first_level(self) -> bool:
        return self.depth <= 1


@dataclass
class SiteModel:
    today: date
    anchors: dict[str, list[str]]                  # target URL -> link texts pointing to it
    linked_on: dict[str, list[str]]                # target URL -> pages linking it
    columns: dict[str, Column]
    homepage_items: list[Item]
    article_dates: dict[str, FoundDate]            # article page URL -> its own date
    boilerplate: set[str]
    documents: dict[str, DocumentMeta] = field(default_factory=dict)   # pages with a metadata block

    def name_of(self, url: str) -> str:
        texts = [t for t in self.anchors.get(url, []) if t and len(t) <= 30]
        return Counter(texts).most_common(1)[0][0] if texts else ""

    def find_links(self, words: list[str]) -> list[tuple[str, str]]:
        """(link text, target URL) of every link whose text carries one of `words`."""
        return [(text, url) for url, texts in self.anchors.items() for text in dict.fromkeys(texts)
                if matches(text, words)]


def site_model(snapshot: SiteSnapshot, today: date) -> SiteModel:
    """The model of a snapshot, built once per (snapshot, today)."""
    cache_key = f"_site_model_{today.isoformat()}"
    cached = snapshot.__dict__.get(cache_key)
    if cached is None:
        cached = _build(snapshot, today)
        snapshot.__dict__[cache_key] = cached
    return cached


def _build(snapshot: SiteSnapshot, today: date) -> SiteModel:
    anchors: dict[str, list[str]] = {}
    linked_on: dict[str, list[str]] = {}
    for page in snapshot.pages.values():
        for link in page.links:
            if link.tag in ("a", "area"):
                anchors.setdefault(link.url, []).append(" ".join(link.text.split()))
                linked_on.setdefault(link.url, []).append(page.url)
    pages = [p for p in snapshot.html_pages() if origin_key(p.fetch.final_url) in set(snapshot.scope_hosts)]
    model = SiteModel(today, anchors, linked_on, {}, [], {}, _boilerplate(pages))
    home = snapshot.homepage_page
    if home is not None and home.tree is not None:
        model.homepage_items = list_items(home, today)
    for page in pages:
        if page.tree is None:
            continue
        found = article_date(page.tree, page.fetch.final_url, page.html or "")
        if found is not None and _is_article(page):
            model.article_dates[page.url] = found
        meta = document_meta(page) if page.depth > 0 else None
        if meta is not None:
            model.documents[page.url] = meta
    _collect_columns(model, snapshot, pages)
    return model


def _is_article(page: Page) -> bool:
    tree = page.tree
    metas = {(m.get("name") or "").lower() for m in tree.iter("meta")} if tree is not None else set()
    return "articletitle" in metas or "pubdate" in metas or bool(_ARTICLE_URL.search(page.fetch.final_url))


def _boilerplate(pages: list[Page]) -> set[str]:
    """Text blocks repeated on most pages: the template (navigation, footer)."""
    if len(pages) < 3:
        return set()
    counts: Counter[str] = Counter()
    for page in pages:
        counts.update(set(_blocks(page)))
    return {block for block, n in counts.items() if n >= max(2, len(pages) // 2)}


def _blocks(page: Page) -> list[str]:
    tree = page.tree
    if tree is None:
        return []
    texts = tree.xpath("//body//text()[not(ancestor::script) and not(ancestor::style)]")
    return [" ".join(t.split()) for t in texts if t.strip()]


def _collect_columns(model: SiteModel, snapshot: SiteSnapshot, pages: list[Page]) -> None:
    later_pages: dict[str, str] = {}   # a further page of a list -> the list's first page
    for page in sorted(pages, key=lambda p: p.depth):
        if page.depth == 0 or page.url in later_pages or not page.is_navigation_page or _is_article(page):
            continue
        items = list_items(page, model.today)
        column = Column(url=page.url, name=model.name_of(page.url) or _title_name(page.title),
                        depth=page.depth, parent=page.found_on, klass="other", pages=[page.url], items=items)
        column.klass = column_class(column.name)
        for further in next_pages(page):
            if further not in later_pages and further != page.url:
                later_pages[further] = page.url
        text = _content_text(page, model.boilerplate)
        column.script_list = _script_fills_list(page) and not items and not page.rendered
        column.blank = not items and not column.script_list and _looks_blank(page, text)
        column.blank_text = text[:80]
        if items or column.blank or column.script_list or column.klass != "other":
            model.columns[page.url] = column
    for further_url, first_url in later_pages.items():
        further = snapshot.pages.get(further_url)
        column = model.columns.get(first_url)
        if further is None or column is None or further.tree is None:
            continue
        column.pages.append(further_url)
        known = {i.url for i in column.items}
        column.items.extend(i for i in list_items(further, model.today) if i.url not in known)
        model.columns.pop(further_url, None)


def _title_name(title: str) -> str:
    return re.split(r"[-_|—]", title, maxsplit=1)[0].strip()


def _content_text(page: Page, boilerplate: set[str]) -> str:
    return " ".join(b for b in _blocks(page) if b not in boilerplate)


def _looks_blank(page: Page, text: str) -> bool:
    """A 暂无信息 marker, or next to no text of its own and nothing embedded or attached."""
    if matches(text, data()["blank_markers"]):
        return True
    tree = page.tree
    embeds = tree is not None and any(True for _ in tree.iter("iframe", "embed", "object", "img", "video"))
    attachments = any(link.url.lower().endswith((".pdf", ".doc", ".docx", ".xls", ".xlsx")) for link in page.links)
    return len(squeeze(text)) < 10 and not embeds and not attachments


def _script_fills_list(page: Page) -> bool:
    tree = page.tree
    if tree is None:
        return False
    scripts = " ".join((s.text or "") + " " + (s.get("src") or "") for s in tree.iter("script")).lower()
    return any(marker in scripts for marker in data()["script_list_markers"])
