"""Coverage before absence: a rule may say "not found" only where it looked and read.

Every rule that claims something is missing asks here first. "Not found" means nothing when
the homepage shows no links to follow, when the 政府信息公开 column was not read (another
host, not crawled, not opened, written by script), or when the pages where the thing would
be were left unread: the crawl stopped at its page, time or depth limit before them, or
they failed to open. Then the answer is not_checked, naming the limit and an example page,
never a finding. The places are the column page and the pages it links to (its sub-columns,
where the disclosure duties live) when there is a column, else the homepage's own links
(the homepage and the next level, where entries and columns are looked for). Pages the
site's robots.txt keeps from crawlers are not among the places (public content is not kept
there), and a page that answered 404 was read: it holds nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

from govaudit.checks.base import RuleContext
from govaudit.checks.disclosure.common import column_unreadable, homepage_has_links, model_and_column
from govaudit.checks.sitemodel.pagefacts import is_attachment
from govaudit.crawler.snapshot import SiteSnapshot
from govaudit.crawler.urls import origin_key

_LIMIT_NOTES = ("limit_pages", "limit_time", "limit_depth")


def absence_unknown(snapshot: SiteSnapshot, context: RuleContext) -> str | None:
    """Why "not found anywhere on the site" would not be evidence; None: the search means something.
    (Worked out once per judging: a stored snapshot reads each place from the store.)"""
    return context.models.get(_absence_unknown, snapshot, context)


def near_home_unknown(snapshot: SiteSnapshot, context: RuleContext) -> str | None:
    """Why a search of the homepage and the next level would prove nothing: some of the
    homepage's own pages were not read. None: every one of them was."""
    return context.models.get(_near_home_unknown, snapshot, context)


def _absence_unknown(snapshot: SiteSnapshot, context: RuleContext) -> str | None:
    if not homepage_has_links(snapshot):
        return "首页没有可读的链接（可能由脚本生成），无法判断"
    _, column = model_and_column(snapshot, context)
    if column.found and column.where:
        unreadable = column_unreadable(snapshot, column, context)
        if unreadable:
            return unreadable
        return unread_reason(snapshot, [column.where, *links_of(snapshot, column.where)], "政府信息公开专栏及其子栏目")
    return near_home_unknown(snapshot, context)


def _near_home_unknown(snapshot: SiteSnapshot, context: RuleContext) -> str | None:
    if not homepage_has_links(snapshot):
        return "首页没有可读的链接（可能由脚本生成），无法判断"
    home = snapshot.homepage_page
    if home is None:
        return "首页未能读取，无法判断"
    return unread_reason(snapshot, links_of(snapshot, home.url), "首页链接的页面")


def links_of(snapshot: SiteSnapshot, url: str) -> list[str]:
    """The site's own pages a page links to (not attachments, not other sites)."""
    page = snapshot.pages.get(url)
    if page is None:
        return []
    scope = set(snapshot.scope_hosts)
    return [link.url for link in page.links
            if link.tag in ("a", "area") and link.url != url and not is_attachment(link.url)
            and origin_key(link.url) in scope]


def unread_reason(snapshot: SiteSnapshot, urls: Iterable[str], where: str) -> str | None:
    """Why these places were not all read, with how many and an example; None: all were."""
    unread = unread_pages(snapshot, urls)
    if not unread:
        return None
    return (f"{where}中有 {len(unread)} 个页面未读取（{stop_reason(snapshot)}；如 {unread[0]}），"
            "无法确认没有")


def unread_pages(snapshot: SiteSnapshot, urls: Iterable[str]) -> list[str]:
    unread = []
    blocked = snapshot.robots_blocked
    for url in dict.fromkeys(urls):
        if url in blocked:
            continue             # the site keeps it from crawlers: not a place public content is kept
        page = snapshot.pages.get(url)
        status = page.fetch.status if page is not None else None
        if page is None or not (page.fetch.ok or (status is not None and 400 <= status < 500)):
            unread.append(url)   # (a page answering 404 holds nothing; one that failed may)
    return unread


def stop_reason(snapshot: SiteSnapshot) -> str:
    """The limit the crawl stopped at, as its notes say; else the other ways a page goes unread."""
    notes = [note.detail.split("，")[0] for note in snapshot.notes if note.kind in _LIMIT_NOTES]
    return "；".join(dict.fromkeys(notes)) if notes else "超出抓取深度或未能打开"
