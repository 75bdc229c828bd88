"""The crawl's per-page analysis: what the rules will want of each page, computed while the
crawler still holds the page's parsed tree, so that no page is parsed twice and no page's
text has to stay in memory until the rules run (Page.memo keeps the small results)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from checks.identity.marks import analyse_marks
from checks.pagetext import NODES_KEY
from checks.registry import all_rules
from checks.sitemodel.pagefacts import BOILERPLATE_SAMPLE, block_hashes, page_facts
from crawler.snapshot import Page


def page_analyser(today: date) -> Callable[[Page], None]:
    """A fresh analyser for one site's crawl (it counts that site's pages)."""
    all_rules()  # imports every rule module, which registers the identity judges
    analysed = 0

    def analyse(page: Page) -> None:
        nonlocal analysed
        if not (page.is_html and page.fetch.ok):
            return
        if analysed < BOILERPLATE_SAMPLE:
            block_hashes(page)
        analysed += 1
        try:
            if page.is_navigation_page:
                analyse_marks(page)
            page_facts(page, today)
        finally:
            page.forget(NODES_KEY)   # as large as the page's text: only shared during analysis

    return analyse
