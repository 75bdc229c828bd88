"""The site's published 政务新媒体 list read as accounts: name, platform, operating unit, and
the list's own date. Shown in the report (the `newmedia` view) and judged by newmedia.*.

The list is the page the disclosure model found for 政务新媒体 (checks/sitemodel/disclosure).
Accounts are read from its tables: a row naming a platform (微信, 微博, 抖音...) is an
account; the header row, when there is one, says which cell is the name and which the unit.
The accounts themselves (their posts, whether they are 僵尸号) are on the platforms, outside
what a website audit can see."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from govaudit.checks.base import RuleContext
from govaudit.checks.pageread import read_page
from govaudit.checks.pagetext import nfkc
from govaudit.checks.sitemodel.columns import data, matches, site_model
from govaudit.checks.sitemodel.dates import FoundDate, labelled_date
from govaudit.checks.sitemodel.disclosure import newmedia_list
from govaudit.crawler.snapshot import SiteSnapshot

_UPDATED = ("更新时间", "更新日期", "截至", "截止", "统计时间")
_DOCUMENTS = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".wps", ".et")
_MAX_ACCOUNTS = 500


@dataclass(frozen=True)
class Account:
    name: str
    platform: str
    unit: str


@dataclass(frozen=True)
class NewMediaList:
    url: str | None                 # None: no list found
    title: str = ""
    accounts: tuple[Account, ...] = ()
    updated: FoundDate | None = None
    unreadable: str = ""            # why the accounts could not be read (an attachment...)


def read_list(snapshot: SiteSnapshot, context: RuleContext) -> NewMediaList:
    model = site_model(snapshot, context)
    found = newmedia_list(model)
    if not found.found or found.where is None:
        return NewMediaList(None)
    url, title = found.where, found.via or ""
    if url.lower().split("?")[0].endswith(_DOCUMENTS):
        return NewMediaList(url, title, unreadable="清单是附件（未读取附件中的表格）")
    page = read_page(snapshot, url)
    if page is None or page.tree is None or not page.fetch.ok:
        return NewMediaList(url, title, unreadable="清单页面未被抓取或未能读取")
    updated = model.article_dates.get(url)
    if updated is None or updated.source not in ("meta", "label"):
        updated = labelled_date("\n".join(page.nodes), _UPDATED)
    return NewMediaList(url, title, tuple(_accounts(page.tree))[:_MAX_ACCOUNTS], updated)


def _accounts(tree: Any) -> list[Account]:
    platforms: list[str] = data()["newmedia_list"]["platforms"]
    accounts = []
    for table in tree.iter("table"):
        columns: dict[str, int] = {}
        for row in table.iter("tr"):
            cells = [nfkc(" ".join("".join(cell.itertext()).split())) for cell in row if cell.tag in ("td", "th")]
            if not columns and any(matches(c, ["名称", "账号"]) for c in cells):
                columns = _header(cells)
                continue
            platform = next((p for c in cells for p in platforms if p in c), "")
            if not platform:
                continue
            name = cells[columns["name"]] if "name" in columns and columns["name"] < len(cells) else _guess_name(cells, platform)
            unit = cells[columns["unit"]] if "unit" in columns and columns["unit"] < len(cells) else ""
            accounts.append(Account(name, platform, unit))
    return accounts


def _header(cells: list[str]) -> dict[str, int]:
    columns = {}
    for index, cell in enumerate(cells):
        if "name" not in columns and matches(cell, ["名称", "账号"]):
            columns["name"] = index
        elif "unit" not in columns and matches(cell, ["主办", "运营", "主体", "单位", "部门"]):
            columns["unit"] = index
    return columns


def _guess_name(cells: list[str], platform: str) -> str:
    """Without a header: the first cell that is not a number and not the platform alone."""
    return next((c for c in cells if c and not c.isdigit() and c != platform), platform)


def newmedia_view(snapshot: SiteSnapshot, context: RuleContext) -> dict[str, Any]:
    """The report's 政务新媒体清单 table."""
    listing = read_list(snapshot, context)
    if listing.url is None:
        return {}
    return {"url": listing.url, "title": listing.title, "count": len(listing.accounts),
            "updated": listing.updated.value.isoformat() if listing.updated else None, "unreadable": listing.unreadable,
            "accounts": [{"name": a.name, "platform": a.platform, "unit": a.unit} for a in listing.accounts[:50]]}
