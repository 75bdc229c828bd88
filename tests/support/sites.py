"""Small sites with findings of many rules, for tests that compare whole runs."""

from __future__ import annotations

from tests.support.pages import footer, page
from tests.support.server import TestSite


def varied_site(site: TestSite, prefix: str = "", name: str = "高新区") -> None:
    """Dead links, a stale column, a footer without marks on one page, a list with dates,
    an article; every path under `prefix` (so several sites can share one server)."""
    p = prefix
    site.page(f"{p}/", page("首页", f'<a href="{p}/gone.html">旧链接</a><a href="{p}/xwdt/index.html">新闻动态</a>'
                                   f'<a href="{p}/tzgg/index.html">通知公告</a><a href="{p}/zwgk/index.html">政府信息公开</a>'))
    site.page(f"{p}/xwdt/index.html", page("新闻动态", "<ul>" + "".join(
        f'<li><a href="{p}/xwdt/content_{n}.html">{name}召开第{n}次工作会议</a><span>2025-0{n}-15</span></li>'
        for n in range(1, 6)) + "</ul>"))
    for n in range(1, 6):
        site.page(f"{p}/xwdt/content_{n}.html", page(
            f"{name}召开第{n}次工作会议",
            f"<h1>{name}召开第{n}次工作会议</h1><p>发布日期：2025-0{n}-15</p><p>{'会议要求各单位认真落实政务公开工作要点。' * 12}</p>"))
    site.page(f"{p}/tzgg/index.html", page("通知公告", "<p>暂无信息</p>", foot=footer(without="identity.contact")))
    site.page(f"{p}/zwgk/index.html", page("政府信息公开", f'<a href="{p}/zwgk/zn.html">政府信息公开指南</a>'))
    site.page(f"{p}/zwgk/zn.html", page("政府信息公开指南", "<p>本指南说明申请方式。</p>"))
