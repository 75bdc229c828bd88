"""A page's visible text, read once and shared: the text nodes of <body> outside script and
style, NFKC-normalised (full-width digits and colons become ASCII), whitespace squeezed."""

from __future__ import annotations

import unicodedata
from typing import Any

from crawler.snapshot import Page

NODES_KEY = "text:nodes"
# Joins the nodes for one normalisation call (cheaper than one per node); a control
# character NFKC leaves alone and that blocks composition across nodes.
_SEPARATOR = "\x1f"


def text_nodes(tree: Any) -> list[str]:
    raw = [t.replace(_SEPARATOR, " ") for t in tree.xpath("//body//text()[not(ancestor::script) and not(ancestor::style)]")
           if t.strip()]
    if not raw:
        return []
    return [" ".join(t.split()) for t in unicodedata.normalize("NFKC", _SEPARATOR.join(raw)).split(_SEPARATOR)]


def page_nodes(page: Page) -> list[str]:
    """text_nodes of the page, kept until the crawl's analysis of the page is done."""
    return page.memo(NODES_KEY, lambda p: text_nodes(p.tree) if p.tree is not None else [])
