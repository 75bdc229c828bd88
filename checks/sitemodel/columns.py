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

from checks.sitemodel.dates import FoundDate
from checks.sitemodel.documents import DocumentMeta
from checks.sitemodel.lists import Item, list_items
from checks.sitemodel.pagefacts import BOILERPLATE_SAMPLE, Listing, block_hashes, has_attachments, page_facts
from crawler.snapshot import Page, SiteSnapshot
from crawler.urls import origin_key

# Pages kept per link target (in crawl order: the pages nearest the homepage come first).
_MAX_SOURCES_KEPT = 10
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
    def first_level(self) -> bool:
        return self.depth <= 1


@dataclass
class SiteModel:
    today: date
    anchors: dict[str, Counter[str]]               # target URL -> link texts pointing to it (how often)
    linked_on: dict[str, list[str]]                # target URL -> first pages linking it
    columns: dict[str, Column]
    homepage_items: list[Item]
    article_dates: dict[str, FoundDate]            # article page URL -> its own date
    boilerplate: Boilerplate
    documents: dict[str, DocumentMeta] = field(default_factory=dict)   # pages with a metadata block

    def name_of(self, url: str) -> str:
        counts = Counter({t: n for t, n in self.anchors.get(url, Counter()).items() if t and len(t) <= 30})
        return counts.most_common(1)[0][0] if counts else ""

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
    anchors: dict[str, Counter[str]] = {}
    linked_on: dict[str, list[str]] = {}
    for page in snapshot.pages.values():
        for link in page.links:
            if link.tag in ("a", "area"):
                anchors.setdefault(link.url, Counter())[" ".join(link.text.split())] += 1
                sources = linked_on.setdefault(link.url, [])
                if len(sources) < _MAX_SOURCES_KEPT and (not sources or sources[-1] != page.url):
                    sources.append(page.url)
    pages = [p for p in snapshot.html_pages() if origin_key(p.fetch.final_url) in set(snapshot.scope_hosts)]
    model = SiteModel(today, anchors, linked_on, {}, [], {}, _boilerplate(pages))
    home = snapshot.homepage_page
    if home is not None and home.is_html:
        model.homepage_items = list(page_facts(home, today).homepage_items)
    for page in pages:
        facts = page_facts(page, today)
        if facts.article_date is not None and facts.is_article:
            model.article_dates[page.url] = facts.article_date
        if facts.document is not None:
            model.documents[page.url] = facts.document
    _collect_columns(model, snapshot, pages)
    return model


class Boilerplate:
    """Text blocks repeated on most pages: the template (navigation, footer). Decided on the
    first pages of the crawl (BOILERPLATE_SAMPLE), which on a small site is all of them."""

    def __init__(self, hashes: set[int]) -> None:
        self._hashes = hashes

    def __contains__(self, block: object) -> bool:
        return hash(block) in self._hashes


def _boilerplate(pages: list[Page]) -> Boilerplate:
    sample = pages[:BOILERPLATE_SAMPLE]
    if len(sample) < 3:
        return Boilerplate(set())
    counts: Counter[int] = Counter()
    for page in sample:
        counts.update(block_hashes(page))
    return Boilerplate({block for block, n in counts.items() if n >= max(2, len(sample) // 2)})


def _collect_columns(model: SiteModel, snapshot: SiteSnapshot, pages: list[Page]) -> None:
    later_pages: dict[str, str] = {}   # a further page of a list -> the list's first page
    for page in sorted(pages, key=lambda p: p.depth):
        if page.depth == 0 or page.url in later_pages or not page.is_navigation_page:
            continue
        listing = page_facts(page, model.today).listing
        if listing is None:  # an article
            continue
        items = list(listing.items)
        column = Column(url=page.url, name=model.name_of(page.url) or _title_name(page.title),
                        depth=page.depth, parent=page.found_on, klass="other", pages=[page.url], items=items)
        column.klass = column_class(column.name)
        for further in listing.next_pages:
            if further not in later_pages and further != page.url:
                later_pages[further] = page.url
        text = " ".join(b for b in listing.blocks if b not in model.boilerplate)
        column.script_list = listing.script_list and not items and not page.rendered
        column.blank = not items and not column.script_list and _looks_blank(page, listing, text)
        column.blank_text = text[:80]
        if items or column.blank or column.script_list or column.klass != "other":
            model.columns[page.url] = column
    for further_url, first_url in later_pages.items():
        further = snapshot.pages.get(further_url)
        column = model.columns.get(first_url)
        if further is None or column is None or not further.is_html:
            continue
        listing = page_facts(further, model.today).listing
        further_items = listing.items if listing is not None else list_items(further, model.today)
        column.pages.append(further_url)
        known = {i.url for i in column.items}
        column.items.extend(i for i in further_items if i.url not in known)
        model.columns.pop(further_url, None)


def _title_name(title: str) -> str:
    return re.split(r"[-_|—]", title, maxsplit=1)[0].strip()


def _looks_blank(page: Page, listing: Listing, text: str) -> bool:
    """A 暂无信息 marker, or next to no text of its own and nothing embedded or attached on a
    page that has a template (an empty response is unreadable, not a blank column)."""
    if matches(text, data()["blank_markers"]):
        return True
    if not listing.blocks:
        return False
    return len(squeeze(text)) < 10 and not listing.embeds and not has_attachments(page)
