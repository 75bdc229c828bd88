"""One page as the rules' analysers read it: its record, its parsed document (the rendered
DOM when the page was rendered) and its visible text, read once and shared while the page
is being analysed. Made by the analysis of a fetched page, or from a snapshot's stored body
for the few rules that read a whole page."""

from __future__ import annotations

from functools import cached_property

import lxml.html

from govaudit.checks.pagetext import text_nodes
from govaudit.crawler.extract import parse_html
from govaudit.crawler.snapshot import FetchOutcome, Link, PageRecord, SiteSnapshot


class PageRead:
    def __init__(self, record: PageRecord, tree: lxml.html.HtmlElement | None) -> None:
        self.record = record
        self.tree = tree

    def __repr__(self) -> str:
        return f"<PageRead {self.url}>"

    @property
    def url(self) -> str:
        return self.record.url

    @property
    def fetch(self) -> FetchOutcome:
        return self.record.fetch

    @property
    def depth(self) -> int:
        return self.record.depth

    @property
    def links(self) -> tuple[Link, ...]:
        return self.record.links

    @property
    def title(self) -> str:
        return self.record.title

    @property
    def rendered(self) -> bool:
        return self.record.rendered

    @property
    def is_navigation_page(self) -> bool:
        return self.record.is_navigation_page

    @cached_property
    def nodes(self) -> list[str]:
        """The visible text nodes of <body> (checks.pagetext.text_nodes)."""
        return text_nodes(self.tree) if self.tree is not None else []


def read_document(record: PageRecord, document: str | None) -> PageRead:
    """The page with its body parsed (no tree when it has none or did not load)."""
    usable = document is not None and record.is_html and record.fetch.ok
    return PageRead(record, parse_html(document) if usable and document is not None else None)


def read_page(snapshot: SiteSnapshot, url: str) -> PageRead | None:
    """A crawled page of the snapshot read whole from its stored body; None when it was not
    crawled. (Its tree is None when the body is not kept.)"""
    record = snapshot.pages.get(url)
    if record is None:
        return None
    return read_document(record, snapshot.bodies.document(url))
