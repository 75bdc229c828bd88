"""What the site model needs of each page: the `model` and `blocks` page analysers.

Each fetched page is analysed once, while its parsed tree is alive (checks.facts); the
results are stored with the page, so the model of a 20,000-page site is built from small
stored facts without parsing any page again.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date

import lxml.etree

from govaudit.checks.base import Analyser
from govaudit.checks.pageread import PageRead
from govaudit.checks.pagetext import BODY_TEXT
from govaudit.checks.sitemodel.dates import PUBDATE_META, FoundDate, article_date, labelled_date
from govaudit.checks.sitemodel.documents import DocumentMeta, document_facts
from govaudit.checks.sitemodel.lists import Item, in_page_chrome, list_items, next_pages
from govaudit.crawler.snapshot import PageRecord

# URL shapes of article pages on TRS, gov.cn and 大汉 sites: one signal among others.
_ARTICLE_URL = re.compile(r"/t\d{8}_|/content_\d+|/art/\d{4}/|/\d{4}-\d{2}/\d{2}/")
# 上一篇/下一篇 of an article (not 上一页/下一页: that is a list's pagination).
_PREV_NEXT = re.compile(r"(上|下)一(篇|条|则)\s*[:：]?")
# Prose of an article body: text outside links, in runs long enough to be sentences.
_PROSE_NODES = lxml.etree.XPath("//body//text()[string-length(.) >= 15 and not(ancestor::a)"
                                " and not(ancestor::script) and not(ancestor::style) and not(ancestor::option)]")
_MIN_PROSE_RUN = 15
_ARTICLE_PROSE = 150
_SHORT_ARTICLE_PROSE = 30     # two sentences of a short notice
_DOCUMENT_SUFFIXES = (".pdf", ".doc", ".docx", ".xls", ".xlsx")
# Pages (in crawl order) whose text blocks decide the site's template text (boilerplate).
BOILERPLATE_SAMPLE = 200


@dataclass(frozen=True, slots=True)
class Listing:
    """What a page that may be a column (栏目) page shows."""

    items: tuple[Item, ...]
    next_pages: tuple[str, ...]
    blocks: tuple[str, ...]       # its text blocks when it lists nothing (a blank column?), else ()
    script_list: bool             # a script fills its list (nothing to see without rendering)
    embeds: bool                  # iframes, images, video: content that is not text


@dataclass(frozen=True, slots=True)
class ModelFacts:
    is_article: bool
    article_date: FoundDate | None
    document: DocumentMeta | None          # pages below the homepage
    repealed: frozenset[str]               # 文号 this page declares repealed
    listing: Listing | None                # for pages that are not articles
    homepage_items: tuple[Item, ...] = ()


_NO_FACTS = ModelFacts(False, None, None, frozenset(), None)


def page_facts(page: PageRecord, today: date) -> ModelFacts:
    """The stored `model` facts of a page (none for a page that was not analysed: not HTML,
    or did not load)."""
    facts = getattr(page.facts, "model", None)
    if facts is None:
        return _NO_FACTS
    if not isinstance(facts, ModelFacts) or getattr(page.facts, "analysed_for", today) != today:
        raise ValueError(f"{page.url}: page facts of another day or kind ({type(facts).__name__}); "
                         "the snapshot must be read with the day it is judged for")
    return facts


def block_hashes(page: PageRecord) -> frozenset[int] | None:
    """Stable hashes of the page's text blocks (computed for the first BOILERPLATE_SAMPLE
    pages of a crawl: the boilerplate count needs equality only); None for later pages."""
    blocks = getattr(page.facts, "blocks", None)
    return blocks if isinstance(blocks, frozenset) else None


def analyse_blocks(page: PageRead, today: date) -> frozenset[int] | None:
    if page.record.seq >= BOILERPLATE_SAMPLE:
        return None
    return frozenset(stable_hash(b) for b in text_blocks(page))


def stable_hash(text: str) -> int:
    """A hash that is the same in every process (str hashes are salted per process)."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big")


def text_blocks(page: PageRead) -> list[str]:
    tree = page.tree
    if tree is None:
        return []
    texts = BODY_TEXT(tree)
    return [" ".join(t.split()) for t in texts if t.strip()]


def is_article(page: PageRead, text: str | None = None) -> bool:
    """An article (not a list) by what the page shows: the 47号 article meta tags, or a body
    of prose with a publication date label, 上一篇/下一篇 links or an article-shaped URL.
    The URL alone decides nothing: CMSs name articles /info/1001/123.htm, detail.jsp?id=...
    (`text`: the page's visible text, when the caller has it joined already.)"""
    tree = page.tree
    if tree is None:
        return False
    metas = {(m.get("name") or "").lower() for m in tree.iter("meta")}
    if "articletitle" in metas or metas & PUBDATE_META:
        return True
    text = " ".join(page.nodes) if text is None else text
    dated = labelled_date(text) is not None
    signals = _ARTICLE_URL.search(page.fetch.final_url) is not None or _PREV_NEXT.search(text) is not None or dated
    if not signals:
        return False
    prose = prose_chars(tree)   # the costlier test last
    # A short notice (its title, a 发布日期 label, two sentences) is an article too when the
    # page heads itself with its own title.
    return prose >= _ARTICLE_PROSE or (dated and prose >= _SHORT_ARTICLE_PROSE and _headed_by_own_title(page, tree))


def _headed_by_own_title(page: PageRead, tree: lxml.etree._Element) -> bool:
    title = "".join(page.title.split())
    for element in tree.iter("h1", "h2", "h3"):
        heading = "".join(element.text_content().split())
        if len(heading) >= 4 and (heading in title or title in heading):
            return True
    return False


def prose_chars(tree: lxml.etree._Element) -> int:
    """Characters of sentence-long text outside links and page chrome."""
    total = 0
    for node in _PROSE_NODES(tree):   # runs of at least _MIN_PROSE_RUN characters
        run = "".join(str(node).split())
        if len(run) >= _MIN_PROSE_RUN and not in_page_chrome(node.getparent()):
            total += len(run)
            if total >= _ARTICLE_PROSE:
                break
    return total


def analyse_model(page: PageRead, today: date) -> ModelFacts:
    tree = page.tree
    if tree is None:
        return _NO_FACTS
    text = " ".join(page.nodes)
    article = is_article(page, text)
    found = article_date(tree, page.fetch.final_url, text)
    document, repealed = (document_facts(page) or (None, frozenset())) if page.depth > 0 else (None, frozenset())
    listing = None if article else _listing(page, today)
    if listing is not None and listing.items:
        repealed = frozenset()     # a list page, however it words its rows, repeals nothing
    home_items = tuple(list_items(page, today)) if page.depth == 0 else ()
    return ModelFacts(article, found, document, repealed, listing, home_items)


def _listing(page: PageRead, today: date) -> Listing:
    tree = page.tree
    assert tree is not None
    scripts = " ".join((s.text or "") + " " + (s.get("src") or "") for s in tree.iter("script")).lower()
    from govaudit.checks.sitemodel.columns import data  # the markers live with the column vocabulary

    items = tuple(list_items(page, today))
    return Listing(
        items=items,
        next_pages=tuple(next_pages(page)),
        blocks=() if items else tuple(text_blocks(page)),   # only a column without items can be blank
        script_list=(any(marker in scripts for marker in data()["script_list_markers"])
                     or (not items and site_scripts(tree))),
        embeds=tree is not None and any(True for _ in tree.iter("iframe", "embed", "object", "img", "video")),
    )


def site_scripts(tree: lxml.etree._Element) -> bool:
    """The page loads scripts of its own (not a well-known library or statistics): they
    may write the content the static page lacks."""
    from govaudit.checks.sitemodel.columns import data

    libraries = data()["library_scripts"]
    for script in tree.iter("script"):
        src = (script.get("src") or "").lower()
        if src and not any(name in src.rsplit("/", 1)[-1] or name in src for name in libraries):
            return True
    return False


def has_attachments(page: PageRecord) -> bool:
    return any(is_attachment(link.url) for link in page.links)


def is_attachment(url: str) -> bool:
    return url.lower().endswith(_DOCUMENT_SUFFIXES)


ANALYSERS = (Analyser("model", analyse_model), Analyser("blocks", analyse_blocks))
