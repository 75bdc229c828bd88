"""What the site model needs of each page, computed once per page (Page.memo).

The crawl computes these while a page's parsed tree is alive (see checks/analysis.py), so the
model of a 20,000-page site is built without parsing any page again and without keeping any
page's text: only small facts stay in memory. Pages loaded from the store compute them here
on first use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import lxml.etree

from checks.pagetext import BODY_TEXT, page_nodes
from checks.sitemodel.dates import PUBDATE_META, FoundDate, article_date, labelled_date
from checks.sitemodel.documents import DocumentMeta, document_facts
from checks.sitemodel.lists import Item, in_page_chrome, list_items, next_pages
from crawler.snapshot import Page

# URL shapes of article pages on TRS, gov.cn and 大汉 sites: one signal among others.
_ARTICLE_URL = re.compile(r"/t\d{8}_|/content_\d+|/art/\d{4}/|/\d{4}-\d{2}/\d{2}/")
# 上一篇/下一篇 of an article (not 上一页/下一页: that is a list's pagination).
_PREV_NEXT = re.compile(r"(上|下)一(篇|条|则)\s*[:：]?")
# Prose of an article body: text outside links, in runs long enough to be sentences.
_PROSE_NODES = lxml.etree.XPath("//body//text()[string-length(.) >= 15 and not(ancestor::a)"
                                " and not(ancestor::script) and not(ancestor::style) and not(ancestor::option)]")
_MIN_PROSE_RUN = 15
_ARTICLE_PROSE = 150
_DOCUMENT_SUFFIXES = (".pdf", ".doc", ".docx", ".xls", ".xlsx")
# Pages (in crawl order) whose text blocks decide the site's template text (boilerplate).
BOILERPLATE_SAMPLE = 200


@dataclass(frozen=True)
class Listing:
    """What a page that may be a column (栏目) page shows."""

    items: tuple[Item, ...]
    next_pages: tuple[str, ...]
    blocks: tuple[str, ...]       # its text blocks when it lists nothing (a blank column?), else ()
    script_list: bool             # a script fills its list (nothing to see without rendering)
    embeds: bool                  # iframes, images, video: content that is not text


@dataclass(frozen=True)
class PageFacts:
    is_article: bool
    article_date: FoundDate | None
    document: DocumentMeta | None          # pages below the homepage
    repealed: frozenset[str]               # 文号 this page declares repealed
    listing: Listing | None                # for pages that are not articles
    homepage_items: tuple[Item, ...] = ()


def page_facts(page: Page, today: date) -> PageFacts:
    return page.memo(f"sitemodel:{today.isoformat()}", lambda p: _compute(p, today))


def block_hashes(page: Page) -> frozenset[int]:
    """Hashes of the page's text blocks (the boilerplate count needs equality only)."""
    return page.memo("sitemodel:block_hashes", lambda p: frozenset(hash(b) for b in text_blocks(p)))


def text_blocks(page: Page) -> list[str]:
    tree = page.tree
    if tree is None:
        return []
    texts = BODY_TEXT(tree)
    return [" ".join(t.split()) for t in texts if t.strip()]


def is_article(page: Page, text: str | None = None) -> bool:
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
    text = " ".join(page_nodes(page)) if text is None else text
    signals = (_ARTICLE_URL.search(page.fetch.final_url) is not None or _PREV_NEXT.search(text) is not None
               or labelled_date(text) is not None)
    return signals and prose_chars(tree) >= _ARTICLE_PROSE   # the costlier test last


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


def _compute(page: Page, today: date) -> PageFacts:
    tree = page.tree
    if tree is None:
        return PageFacts(False, None, None, frozenset(), None)
    text = " ".join(page_nodes(page))
    article = is_article(page, text)
    found = article_date(tree, page.fetch.final_url, text)
    document, repealed = (document_facts(page) or (None, frozenset())) if page.depth > 0 else (None, frozenset())
    listing = None if article else _listing(page, today)
    home_items = tuple(list_items(page, today)) if page.depth == 0 else ()
    return PageFacts(article, found, document, repealed, listing, home_items)


def _listing(page: Page, today: date) -> Listing:
    tree = page.tree
    scripts = " ".join((s.text or "") + " " + (s.get("src") or "") for s in tree.iter("script")).lower()
    from checks.sitemodel.columns import data  # the markers live with the column vocabulary

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
    from checks.sitemodel.columns import data

    libraries = data()["library_scripts"]
    for script in tree.iter("script"):
        src = (script.get("src") or "").lower()
        if src and not any(name in src.rsplit("/", 1)[-1] or name in src for name in libraries):
            return True
    return False


def has_attachments(page: Page) -> bool:
    return any(link.url.lower().endswith(_DOCUMENT_SUFFIXES) for link in page.links)
