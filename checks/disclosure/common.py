"""Shared by the disclosure.* rules: the model, and the not-checked reasons they share."""

from __future__ import annotations

from urllib.parse import urlsplit

from govaudit.checks.base import RuleContext
from govaudit.checks.sitemodel.columns import SiteModel, site_model
from govaudit.checks.sitemodel.disclosure import Found, disclosure_column
from govaudit.checks.sitemodel.pagefacts import page_facts
from govaudit.crawler.snapshot import SiteSnapshot
from govaudit.crawler.urls import origin_key

BASIS_ORDINANCE = "《中华人民共和国政府信息公开条例》（国务院令第711号）"


def model_and_column(snapshot: SiteSnapshot, context: RuleContext) -> tuple[SiteModel, Found]:
    model = site_model(snapshot, context)
    return model, disclosure_column(model, snapshot)


def homepage_has_links(snapshot: SiteSnapshot) -> bool:
    home = snapshot.homepage_page
    return home is not None and any(link.tag in ("a", "area") for link in home.links)


COLUMN_MISSING_REASON = "未找到政府信息公开专栏（见 disclosure.column_missing），不再逐项检查"


def column_unreadable(snapshot: SiteSnapshot, column: Found, context: RuleContext) -> str | None:
    """Why the 专栏's own page cannot show what the column holds; None when it was read.
    Absence of a sub-column, category or library is only evidence when the column was read."""
    url = column.where or ""
    page = snapshot.pages.get(url)
    if page is None:
        host = urlsplit(url).netloc
        if origin_key(url) not in snapshot.scope_hosts:
            return (f"政府信息公开专栏在 {host}，不在本次检查范围内，无法检查其内容"
                    f"（如属本单位网站，请在 [[sites]] same_site_hosts 中加入“{host}”）")
        return f"政府信息公开专栏页面 {url} 未被抓取（超出抓取页数或深度限制），无法检查其内容"
    if not page.fetch.ok or not page.is_html:
        return f"政府信息公开专栏页面 {url} 未能打开，无法检查其内容"
    listing = page_facts(page, context.today).listing
    if listing is not None and listing.script_list and not listing.items and not page.rendered:
        return f"政府信息公开专栏页面 {url} 的内容由脚本生成，未经浏览器渲染，无法检查其内容"
    return None
