"""办事服务, 政务新媒体清单, the site's yearly 报表 and site search (service.*, newmedia.*,
disclosure.site_annual_report, disclosure.search_missing), each with a good and a bad site
and the case where the pages cannot tell."""

from __future__ import annotations

from datetime import date, timedelta

from govaudit.checks.disclosure.site_annual_report import due_year
from govaudit.reports.document import SiteReport
from tests.conftest import TODAY, audit
from tests.support.pages import page
from tests.support.server import TestSite


def found(report: SiteReport, rule: str) -> list:  # type: ignore[type-arg]
    return [f for f in report.results.findings if f.rule == rule]


def unchecked(report: SiteReport, rule: str) -> list[str]:
    return [n.reason for n in report.results.not_checked if n.rule == rule]


def ago(days: int) -> str:
    return (TODAY - timedelta(days=days)).isoformat()


# -- service.entry_missing ----------------------------------------------------------------------

def test_a_site_without_a_service_entry(site: TestSite) -> None:
    site.page("/", page("首页", '<a href="/xw.html">新闻动态</a><a href="/gk.html">政府信息公开</a>'))
    assert len(found(audit(site.url("/")), "service.entry_missing")) == 1


def test_a_service_entry_by_its_text_or_by_the_platform_host(site: TestSite) -> None:
    site.page("/", page("首页", '<a href="/bs.html">我要办事</a>'))
    assert not found(audit(site.url("/")), "service.entry_missing")
    site.page("/", page("首页", '<a href="https://www.gdzwfw.gov.cn/portal/index">广东省网上服务大厅</a><a href="/x.html">x</a>'))
    assert not found(audit(site.url("/")), "service.entry_missing")


def test_a_script_built_homepage_cannot_show_its_entry_missing(site: TestSite) -> None:
    site.page("/", '<html><head><title>首页</title><script src="/menu.js"></script></head><body><a href="/xw.html">新闻</a></body></html>')
    report = audit(site.url("/"))
    assert not found(report, "service.entry_missing") and unchecked(report, "service.entry_missing")


# -- service.guide_incomplete ---------------------------------------------------------------------

_GUIDE_ROWS = {"事项名称": "企业投资项目备案", "设定依据": "《企业投资项目核准和备案管理条例》", "受理条件": "在本区注册的企业",
               "所需材料": "备案申请表", "办理地点": "政务服务中心3号窗口", "办理时间": "工作日9:00-17:00",
               "咨询电话": "0756-1234567", "办理流程": "申请-受理-备案"}


def _guide(without: tuple[str, ...] = ()) -> str:
    rows = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in _GUIDE_ROWS.items() if k not in without)
    return page("企业投资项目备案办事指南", f"<h1>企业投资项目备案办事指南</h1><table>{rows}</table>")


def test_a_guide_missing_elements_names_them(site: TestSite) -> None:
    site.page("/", page("首页", '<a href="/bs/index.html">办事指南</a>'))
    site.page("/bs/index.html", page("办事指南", '<ul><li><a href="/bs/1.html">企业投资项目备案办事指南</a></li>'
                                                '<li><a href="/bs/2.html">建设工程规划许可办事指南</a></li></ul>'))
    site.page("/bs/1.html", _guide(without=("设定依据", "办理时间")))
    site.page("/bs/2.html", _guide(), encoding="gbk", charset="gbk")
    report = audit(site.url("/"))
    (finding,) = found(report, "service.guide_incomplete")
    assert finding.url.endswith("/bs/1.html") and finding.evidence["missing"] == ["设定依据", "办理时间"]


def test_an_index_of_guides_is_not_judged_as_a_guide(site: TestSite) -> None:
    site.page("/", page("首页", '<a href="/bs/index.html">办事指南</a>'))
    site.page("/bs/index.html", page("办事指南", "<p>办事指南栏目：请选择事项名称查看。</p>"))
    assert not found(audit(site.url("/")), "service.guide_incomplete")


# -- newmedia.list_stale and the report's list ---------------------------------------------------

def _newmedia_site(site: TestSite, updated: str | None) -> None:
    stamp = f"<p>更新时间：{updated}</p>" if updated else ""
    site.page("/", page("首页", '<a href="/xmt.html">政务新媒体矩阵</a>'))
    site.page("/xmt.html", page("政务新媒体矩阵", "<table><tr><th>序号</th><th>账号名称</th><th>平台</th><th>主办单位</th></tr>"
                                             "<tr><td>1</td><td>某区发布</td><td>微信公众号</td><td>区政府办</td></tr>"
                                             "<tr><td>2</td><td>某区教育</td><td>抖音</td><td>区教育局</td></tr></table>" + stamp),
              encoding="gbk", charset="gbk")


def test_an_old_newmedia_list_is_a_notice_and_its_accounts_are_read(site: TestSite) -> None:
    _newmedia_site(site, ago(500))
    report = audit(site.url("/"))
    (finding,) = found(report, "newmedia.list_stale")
    assert finding.evidence["age_days"] == 500 and finding.evidence["accounts"] == 2
    view = report.views["newmedia"]
    assert view["count"] == 2 and view["updated"] == ago(500)
    assert view["accounts"][1] == {"name": "某区教育", "platform": "抖音", "unit": "区教育局"}


def test_a_recent_list_is_fine_and_an_undated_one_cannot_be_judged(site: TestSite) -> None:
    _newmedia_site(site, ago(30))
    assert not found(audit(site.url("/")), "newmedia.list_stale")
    _newmedia_site(site, None)
    report = audit(site.url("/"))
    assert not found(report, "newmedia.list_stale") and "没有发布或更新日期" in unchecked(report, "newmedia.list_stale")[0]


# -- disclosure.site_annual_report -----------------------------------------------------------------

def test_the_due_year_turns_over_after_the_end_of_january() -> None:
    assert due_year(date(2026, 1, 31)) == (2024, date(2025, 1, 31))
    assert due_year(date(2026, 2, 1)) == (2025, date(2026, 1, 31))


def _platform(site: TestSite, extra: str = "") -> None:
    site.page("/", page("首页", '<a href="/gk/index.html">政府信息公开</a>' + extra))
    site.page("/gk/index.html", page("政府信息公开", '<a href="/gk/zn.html">政府信息公开指南</a>'))
    site.page("/gk/zn.html", page("政府信息公开指南", "<p>指南</p>"))


def test_the_site_annual_report_missing_late_and_on_time(site: TestSite) -> None:
    year = TODAY.year - 1
    _platform(site)
    (missing,) = found(audit(site.url("/")), "disclosure.site_annual_report")
    assert missing.evidence["year"] == year
    _platform(site, f'<a href="/gk/bb.html">{year}年度政府网站工作年度报表</a>')
    site.page("/gk/bb.html", page("报表", f"<h1>{year}年度政府网站工作年度报表</h1><div>发布时间：{year + 1}-03-02</div>"
                                         + "<p>" + "报表内容。" * 40 + "</p>"))
    (late,) = found(audit(site.url("/")), "disclosure.site_annual_report")
    assert late.evidence["published"] == f"{year + 1}-03-02" and "晚于" in late.message
    site.page("/gk/bb.html", page("报表", f"<h1>{year}年度政府网站工作年度报表</h1><div>发布时间：{year + 1}-01-15</div>"
                                         + "<p>" + "报表内容。" * 40 + "</p>"))
    assert not found(audit(site.url("/")), "disclosure.site_annual_report")


# -- disclosure.search_missing ---------------------------------------------------------------------

def test_site_search_found_missing_or_unknown(site: TestSite) -> None:
    _platform(site)
    (missing,) = found(audit(site.url("/")), "disclosure.search_missing")
    assert missing.url == site.url("/")
    _platform(site, '<div class="search"><input type="text" placeholder="请输入关键字"><a href="/s">搜索</a></div>')
    assert not found(audit(site.url("/")), "disclosure.search_missing")
    site.page("/", '<html><head><title>首页</title><script src="/app.js"></script></head><body>'
                   '<a href="/gk/index.html">政府信息公开</a></body></html>')
    report = audit(site.url("/"))
    assert not found(report, "disclosure.search_missing") and unchecked(report, "disclosure.search_missing")
