"""The site's structure as the crawl saw it: columns (栏目) with their names, pages, items
and newest dates, and the homepage's own items. Built once per judging of a site from the
stored page facts, shared by rules through their context.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cache
from importlib import resources
from typing import Any, NamedTuple

from govaudit.checks.base import RuleContext
from govaudit.checks.pageread import read_page
from govaudit.checks.sitemodel.dates import FoundDate
from govaudit.checks.sitemodel.documents import DocumentMeta
from govaudit.checks.sitemodel.lists import Item, list_items
from govaudit.checks.sitemodel.pagefacts import BOILERPLATE_SAMPLE, Listing, block_hashes, has_attachments, page_facts, stable_hash
from govaudit.crawler.snapshot import PageRecord, SiteSnapshot
from govaudit.crawler.urls import origin_key

# Pages kept per link target (in crawl order: the pages nearest the homepage come first).
_MAX_SOURCES_KEPT = 10
_INDEX_PAGE = re.compile(r"^(.*/index)_(\d+)(\.s?html?)$")


@cache
def data() -> dict[str, Any]:
    return tomllib.loads(resources.files("govaudit.checks.data").joinpath("disclosure.toml").read_text("utf-8"))


def squeeze(text: str) -> str:
    return "".join(text.split())


def matches(text: str, words: list[str]) -> bool:
    flat = squeeze(text)
    return any(squeeze(word) in flat for word in words)


def column_class(name: str) -> str:
    for klass, words in data()["column_classes"].items():
        if matches(name, words):
            return str(klass)
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
    # target URL -> the link texts pointing to it: the one text, or how often each text when
    # there are several (most targets have one: an article's title)
    anchors: dict[str, str | Counter[str]]
    linked_on: dict[str, str | list[str]]          # target URL -> first pages linking it (one: the page)
    columns: dict[str, Column]
    homepage_items: list[Item]
    article_dates: dict[str, FoundDate]            # article page URL -> its own date
    boilerplate: Boilerplate
    documents: dict[str, DocumentMeta] = field(default_factory=dict)   # pages with a metadata block
    near_home: set[str] = field(default_factory=set)   # the homepage and the pages one click below it
    repealing: dict[str, frozenset[str]] = field(default_factory=dict)   # document page -> 文号 it repeals

    def sources_of(self, url: str) -> list[str]:
        """The first pages (in crawl order) that link to `url`."""
        sources = self.linked_on.get(url)
        return [sources] if isinstance(sources, str) else list(sources or ())

    def texts_of(self, url: str) -> Counter[str]:
        texts = self.anchors.get(url)
        return Counter([texts]) if isinstance(texts, str) else Counter(texts or {})

    def link_texts(self) -> Iterator[tuple[str, str]]:
        """(URL, text) of every distinct link text (whitespace already squeezed to one space)."""
        for url, texts in self.anchors.items():
            if isinstance(texts, str):
                yield url, texts
            else:
                for text in texts:
                    yield url, text

    def name_of(self, url: str) -> str:
        counts = Counter({t: n for t, n in self.texts_of(url).items() if t and len(t) <= 30})
        return counts.most_common(1)[0][0] if counts else ""

    def find_links(self, words: list[str]) -> list[tuple[str, str]]:
        """(link text, target URL) of every link whose text carries one of `words`."""
        wanted = [squeeze(word) for word in words]
        return [(text, url) for url, text in self.link_texts()
                if any(word in text.replace(" ", "") for word in wanted)]


def site_model(snapshot: SiteSnapshot, context: RuleContext) -> SiteModel:
    """The model of the site, built once per judging (kept by the context)."""
    return context.models.get(_build, snapshot, context)


def _build(snapshot: SiteSnapshot, context: RuleContext) -> SiteModel:
    """One pass over the stored pages and their facts: nothing of a page but its small facts
    stays in memory."""
    today = context.today
    scope = set(snapshot.scope_hosts)
    model = SiteModel(today, {}, {}, {}, [], {}, Boilerplate(set()))
    listings: list[tuple[ListPage, Listing]] = []   # navigation pages below the homepage that list
    urls: dict[str, str] = {}   # one string object per URL or text, however many places hold it
    dates: dict[Any, Any] = {}  # one object per date found (many pages share a day)
    blocks: Counter[int] = Counter()
    sampled = 0
    for page in snapshot.pages.values():
        url = urls.setdefault(page.url, page.url)
        _add_anchors(model, page, url, urls)
        if page.depth <= 1:
            model.near_home.add(url)
        if not (page.is_html and page.fetch.ok and origin_key(page.fetch.final_url) in scope):
            continue
        facts = page_facts(page, today)
        hashes = block_hashes(page)
        if hashes is not None and sampled < BOILERPLATE_SAMPLE:
            sampled += 1
            blocks.update(hashes)
        if page.depth == 0:
            model.homepage_items = list(facts.homepage_items)
        if facts.article_date is not None and facts.is_article:
            model.article_dates[url] = dates.setdefault(facts.article_date, facts.article_date)
        if facts.document is not None:
            model.documents[url] = _kept(facts.document, url, urls, dates)
            if facts.repealed:
                model.repealing[url] = facts.repealed
        if facts.listing is not None and page.depth > 0 and page.is_navigation_page:
            listings.append((ListPage(url, page.depth, page.found_on, page.title, page.rendered,
                                      has_attachments(page)), _pooled(facts.listing, urls, dates)))
    if sampled >= 3:
        model.boilerplate = Boilerplate({b for b, n in blocks.items() if n >= max(2, sampled // 2)})
    _collect_columns(model, snapshot, listings)
    return model


def _add_anchors(model: SiteModel, page: PageRecord, source: str, urls: dict[str, str]) -> None:
    anchors, linked_on = model.anchors, model.linked_on
    for link in page.links:
        if link.tag not in ("a", "area"):
            continue
        target = urls.setdefault(link.url, link.url)
        text = " ".join(link.text.split())
        text = urls.setdefault(text, text)
        known = anchors.get(target)
        if known is None:
            anchors[target] = text
        elif isinstance(known, str):
            anchors[target] = Counter([known, text])
        else:
            known[text] += 1
        sources = linked_on.get(target)
        if sources is None:
            linked_on[target] = source
        elif isinstance(sources, str):
            if sources != source:
                linked_on[target] = [sources, source]
        elif len(sources) < _MAX_SOURCES_KEPT and sources[-1] != source:
            sources.append(source)


def _kept(meta: DocumentMeta, url: str, pool: dict[str, str], dates: dict[Any, Any]) -> DocumentMeta:
    """The document's metadata as the model keeps it for every document of the site: without
    the fields no site-wide rule reads (索引号, 发文机关; how the version was read, except
    on law texts, which show a version), its title one string with the links' text."""
    return replace(meta, url=url, index_no=None, issuer=None, title=pool.setdefault(meta.title, meta.title),
                   written=dates.setdefault(meta.written, meta.written), published=dates.setdefault(meta.published, meta.published),
                   version_evidence=meta.version_evidence if meta.version_date is not None else "")


def _pooled(listing: Listing, pool: dict[str, str], dates: dict[Any, Any]) -> Listing:
    """The listing with its items' URLs, titles and dates one object each across the model."""
    items = tuple(replace(item, url=pool.setdefault(item.url, item.url), title=pool.setdefault(item.title, item.title),
                          date=dates.setdefault(item.date, item.date))
                  for item in listing.items)
    return replace(listing, items=items)


class ListPage(NamedTuple):
    """What the columns need of a page that lists (its links are in the anchors)."""

    url: str
    depth: int
    found_on: str | None
    title: str
    rendered: bool
    has_attachments: bool


class Boilerplate:
    """Text blocks repeated on most pages: the template (navigation, footer). Decided on the
    first pages of the crawl (BOILERPLATE_SAMPLE), which on a small site is all of them."""

    def __init__(self, hashes: set[int]) -> None:
        self._hashes = hashes

    def __contains__(self, block: object) -> bool:
        return isinstance(block, str) and stable_hash(block) in self._hashes


def _collect_columns(model: SiteModel, snapshot: SiteSnapshot, listings: list[tuple[ListPage, Listing]]) -> None:
    later_pages: dict[str, str] = {}   # a further page of a list -> the list's first page
    for page, listing in sorted(listings, key=lambda pair: pair[0].depth):
        if page.url in later_pages:
            continue
        items = list(listing.items)
        column = Column(url=page.url, name=model.name_of(page.url) or _title_name(page.title),
                        depth=page.depth, parent=page.found_on, klass="other", pages=[page.url], items=items)
        column.klass = column_class(column.name)
        for next_url in listing.next_pages:
            if next_url not in later_pages and next_url != page.url:
                later_pages[next_url] = page.url
        text = " ".join(b for b in listing.blocks if b not in model.boilerplate)
        column.script_list = listing.script_list and not items and not page.rendered
        column.blank = not items and not column.script_list and _looks_blank(page, listing, text)
        column.blank_text = text[:80]
        if items or column.blank or column.script_list or column.klass != "other":
            model.columns[page.url] = column
    for further_url, first_url in later_pages.items():
        further = snapshot.pages.get(further_url)
        first = model.columns.get(first_url)
        if further is None or first is None or not further.is_html:
            continue
        column = first
        further_listing = page_facts(further, model.today).listing
        further_items = (further_listing.items if further_listing is not None
                         else _read_items(snapshot, further_url, model.today))
        column.pages.append(further_url)
        known = {i.url for i in column.items}
        column.items.extend(i for i in further_items if i.url not in known)
        model.columns.pop(further_url, None)


def _read_items(snapshot: SiteSnapshot, url: str, today: date) -> list[Item]:
    """The items of a further list page that the analysis took for an article."""
    page = read_page(snapshot, url)
    return list_items(page, today) if page is not None else []


def _title_name(title: str) -> str:
    return re.split(r"[-_|—]", title, maxsplit=1)[0].strip()


def _looks_blank(page: ListPage, listing: Listing, text: str) -> bool:
    """A 暂无信息 marker, or next to no text of its own and nothing embedded or attached on a
    page that has a template (an empty response is unreadable, not a blank column)."""
    if matches(text, data()["blank_markers"]):
        return True
    if not listing.blocks:
        return False
    return len(squeeze(text)) < 10 and not listing.embeds and not page.has_attachments
