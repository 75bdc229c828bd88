"""What the service.* rules share: the synonym lists (checks/data/disclosure.toml) and the
text of a page the site model did not keep (read again from the store)."""

from __future__ import annotations

from govaudit.checks.pageread import read_page
from govaudit.crawler.snapshot import SiteSnapshot

BASIS_SERVICE = "国办秘函〔2019〕19号《政府网站与政务新媒体检查指标》单项否决指标“服务不实用”及扣分指标“服务实用情况”"


def page_text(snapshot: SiteSnapshot, url: str) -> str | None:
    """The page's visible text (NFKC); None when the page cannot be read."""
    page = read_page(snapshot, url)
    if page is None or page.tree is None or not page.fetch.ok:
        return None
    return " ".join(page.nodes)


def homepage_hides_script_content(snapshot: SiteSnapshot) -> bool:
    """The homepage was not rendered and runs scripts: a menu, banner or search box it draws
    is not in the HTML read, so "not on the homepage" proves nothing."""
    home = snapshot.homepage
    page = read_page(snapshot, home.final_url) if home is not None else None
    if page is None or page.tree is None:
        return True
    return not page.rendered and bool(page.tree.xpath("//script[@src or string-length(normalize-space(.)) > 200]"))
