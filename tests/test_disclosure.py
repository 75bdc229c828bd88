"""The 政府信息公开 platform, column freshness and interaction rules on fixture sites:
each finding on its case and silent on the valid twin. Today is 2026-11-26."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from govaudit.checks.sitemodel.dates import article_date, first_date, full_dates, url_date
from govaudit.crawler.extract import parse_html
from govaudit.reports.document import SiteReport
from tests.conftest import TODAY, audit
from tests.support.pages import page
from tests.support.server import TestSite


def ago(days: int, fmt: str = "%Y-%m-%d") -> str:
    return (TODAY - timedelta(days=days)).strftime(fmt)


def listing(name: str, items: list[tuple[str, str, str]]) -> str:
    rows = "".join(f'<li><a href="{href}">{title}</a><span>{when}</span></li>' for title, href, when in items)
    return page(name, f"<h2>{name}</h2><ul class='list'>{rows}</ul>")


def found(report: SiteReport, rule: str) -> list:  # type: ignore[type-arg]
    return [f for f in report.results.findings if f.rule == rule]


def reasons(report: SiteReport, rule: str) -> list[str]:
    return [n.reason for n in report.results.not_checked if n.rule == rule]


GUIDE_FULL = ("<p>公开内容分为机构职能、政策文件等类别，按栏目编排。获取方式：网站查阅或提出申请。"
              "受理机构：区党政办公室；办公地址：演示路1号；办公时间：工作日上午9:00；联系电话：0756-1234567；"
              "传真：0756-1234568；电子邮箱：gk@gxq.gov.cn。</p>")


def disclosure_site(site: TestSite, *, skip: set[str] = frozenset(), guide: str = GUIDE_FULL,  # type: ignore[assignment]
                    extra_home: str = "", newmedia: str = '<a href="/xmt.html">政务新媒体清单</a>') -> None:
    subs = {"zn": ("政府信息公开指南", "/gk/zn.html"), "zd": ("信息公开制度", "/gk/zd.html"),
            "fd": ("法定主动公开内容", "/gk/fd.html"), "nb": ("公开年报", "/gk/nb.html")}
    links = "".join(f'<a href="{href}">{name}</a>' for key, (name, href) in subs.items() if key not in skip)
    site.page("/", page("首页", f'<a href="/gk/index.html">政府信息公开</a><a href="/hd/index.html">咨询留言</a>'
                              f'{newmedia}{extra_home}'
                              f'<form action="/search"><input type="text" name="q"><button>搜索</button></form>'
                              f'<a href="/gk/bb.html">{TODAY.year - 1}年度政府网站工作年度报表</a>'
                              f'<ul class="list"><li><a href="/news/1.html">高新区召开推进会议部署工作</a><span>{ago(1)}</span></li></ul>'))
    site.page("/gk/index.html", page("政府信息公开", links))
    site.page("/gk/zn.html", page("政府信息公开指南", guide))
    for path in ("/gk/zd.html", "/gk/nb.html", "/xmt.html", "/news/1.html", "/hd/index.html", "/gk/bb.html"):
        site.page(path, page("内容", "<p>正文内容正文内容。</p>"))
    categories = ["政策文件", "机构职能", "规划计划", "统计数据", "行政许可", "行政处罚", "财政预决算",
                  "收费项目", "政府采购", "重大建设项目", "社会保障", "应急管理", "安全生产", "公务员招考"]
    category_links = "".join(f'<li><a href="/gk/c{i}.html">{name}</a></li>' for i, name in enumerate(categories)
                             if f"c{i}" not in skip)
    site.page("/gk/fd.html", page("法定主动公开内容", f"<ul>{category_links}</ul>"))


def test_complete_platform_has_no_disclosure_finding(site: TestSite) -> None:
    disclosure_site(site)
    report = audit(site.url("/"))
    assert not [f for f in report.results.findings if f.rule.startswith("disclosure.")]


def test_missing_column(site: TestSite) -> None:
    site.page("/", page("首页", '<a href="/news.html">新闻中心</a><a href="/hd.html">咨询</a>'))
    report = audit(site.url("/"))
    assert len(found(report, "disclosure.column_missing")) == 1
    assert "disclosure.column_missing" in reasons(report, "disclosure.subcolumn_missing")[0]


def test_synonym_subcolumns_count_and_a_missing_one_is_named(site: TestSite) -> None:
    disclosure_site(site, skip={"zd"})
    (finding,) = found(audit(site.url("/")), "disclosure.subcolumn_missing")
    assert finding.evidence["which"] == "政府信息公开制度"


def test_guide_without_fax_is_incomplete(site: TestSite) -> None:
    disclosure_site(site, guide=GUIDE_FULL.replace("传真：0756-1234568；", ""))
    (finding,) = found(audit(site.url("/")), "disclosure.guide_incomplete")
    assert finding.evidence["missing"] == ["传真号码"]
    assert finding.evidence["elements"]["联系电话"] == "有"


def test_statutory_category_missing_and_department_not_checked(site: TestSite) -> None:
    disclosure_site(site, skip={"c7"})  # 收费项目: 第二十条第（8）项
    report = audit(site.url("/"))
    assert [f.evidence["item"] for f in found(report, "disclosure.statutory_missing")] == ["第二十条第（8）项"]
    department = audit(site.url("/"), kind="department")
    assert not found(department, "disclosure.statutory_missing")
    assert "部门网站" in reasons(department, "disclosure.statutory_missing")[0]


def test_article_21_for_county_units(site: TestSite) -> None:
    disclosure_site(site)
    county = audit(site.url("/"), admin_level="county")
    missing = {f.evidence["title"] for f in found(county, "disclosure.statutory_missing")}
    assert "土地征收" in missing and "治安管理" in missing


def test_domain_catalogues_for_basic_level_units(site: TestSite) -> None:
    disclosure_site(site, extra_home='<a href="/ml/aqsc.html">安全生产领域基层政务公开标准目录</a>'
                                     '<a href="/ml/wsj.html">未涉及领域事项说明</a>')
    site.page("/ml/aqsc.html", page("安全生产", "<p>标准目录</p>"))
    others = "、".join(["重大建设项目", "公共资源交易", "财政预决算", "征地补偿", "环境保护", "公共文化服务", "扶贫",
                       "救灾", "社会救助", "养老服务", "户籍管理", "涉农补贴", "义务教育", "卫生健康", "食品药品监管",
                       "公共法律服务", "农村危房改造", "保障性住房", "就业", "社会保险", "城乡规划", "税收管理",
                       "国有土地上房屋征收与补偿", "市场监管"])
    site.page("/ml/wsj.html", page("未涉及领域事项说明", f"<p>本单位不涉及以下领域：{others}。</p>"))
    report = audit(site.url("/"), basic_level=True)
    assert [f.evidence["domain"] for f in found(report, "disclosure.domain_catalog_missing")] == ["城市综合执法"]
    assert not found(audit(site.url("/")), "disclosure.domain_catalog_missing")  # not basic-level


def test_newmedia_list(site: TestSite) -> None:
    disclosure_site(site)
    assert not found(audit(site.url("/")), "disclosure.newmedia_list_missing")
    site.page("/", page("首页", '<a href="/gk/index.html">政府信息公开</a><a href="/hd/index.html">咨询</a>'))
    assert len(found(audit(site.url("/")), "disclosure.newmedia_list_missing")) == 1


# -- columns ------------------------------------------------------------------------------

def column_site(site: TestSite, columns: dict[str, tuple[str, str]], home_date: str | None = None) -> None:
    links = "".join(f'<a href="{path}">{name}</a>' for path, (name, _) in columns.items())
    home_list = (f'<ul class="list"><li><a href="/news/a1.html">高新区召开政务公开工作会议</a><span>{home_date}</span></li></ul>'
                 if home_date else "")
    site.page("/", page("首页", links + '<a href="/hd/index.html">咨询</a>' + home_list))
    for path, (_, html) in columns.items():
        site.page(path, html)


def test_stale_news_column_and_fresh_twin(site: TestSite) -> None:
    column_site(site, {
        "/bmdt/index.html": ("部门动态", listing("部门动态", [("区财政局召开预算编制会议", "/a/1.html", ago(20))])),
        "/gzdt/index.html": ("工作动态", listing("工作动态", [("区社会事业局开展安全检查", "/a/2.html", ago(10))])),
    }, home_date=ago(1))
    (finding,) = found(audit(site.url("/")), "columns.stale")
    assert finding.evidence["column"] == "部门动态" and finding.evidence["age_days"] == 20
    assert finding.evidence["limit_days"] == 14 and finding.evidence["newest_date"] == ago(20)


def test_undated_items_count_as_not_updated(site: TestSite) -> None:
    column_site(site, {"/tzgg/index.html": ("通知公告", listing("通知公告", [
        ("关于开展政务公开培训的通知", "/a/1.html", ""), ("关于调整办公时间的公告", "/a/2.html", "")]))}, ago(1))
    (finding,) = found(audit(site.url("/")), "columns.stale")
    assert "未注明发布日期" in finding.message and finding.evidence["items"] == 2


def test_month_day_dates_under_a_year_heading(site: TestSite) -> None:
    last_year = f"<h3>{TODAY.year - 1}年</h3><ul class='list'><li><a href='/a/1.html'>高新区召开年度工作总结会议</a><span>11-20</span></li></ul>"  # noqa: E501
    this_year = f"<ul class='list'><li><a href='/a/2.html'>高新区召开政务公开推进会议</a><span>{ago(3, '%m-%d')}</span></li></ul>"
    column_site(site, {"/old/index.html": ("要闻", page("要闻", last_year)),
                       "/new/index.html": ("动态", page("动态", this_year))}, ago(1))
    report = audit(site.url("/"))
    (finding,) = found(report, "columns.stale")
    assert finding.evidence["column"] == "要闻" and finding.evidence["newest_date"] == f"{TODAY.year - 1}-11-20"


def test_paginated_list_is_one_column(site: TestSite) -> None:
    first = page("新闻动态", f"<ul class='list'><li><a href='/a/1.html'>高新区召开推进会议部署工作</a><span>{ago(30)}</span></li></ul>"
                             "<div class='page'><a href='/xw/index_1.html'>下一页</a></div>")
    second = page("新闻动态", f"<ul class='list'><li><a href='/a/2.html'>高新区举办业务培训班一期</a><span>{ago(60)}</span></li></ul>")
    column_site(site, {"/xw/index.html": ("新闻动态", first)}, ago(1))
    site.page("/xw/index_1.html", second)
    report = audit(site.url("/"))
    (finding,) = found(report, "columns.stale")
    assert finding.evidence["pages_read"] == [site.url("/xw/index.html"), site.url("/xw/index_1.html")]
    assert finding.evidence["items"] == 2


def test_blank_column_and_embedded_twin(site: TestSite) -> None:
    column_site(site, {"/ztzl/index.html": ("专题专栏", page("专题专栏", "<div>暂无信息</div>")),
                       "/map/index.html": ("地图导航", page("地图导航", "<iframe src='/map.html'></iframe>"))}, ago(1))
    findings = found(audit(site.url("/")), "columns.blank")
    assert [f.evidence["column"] for f in findings] == ["专题专栏"]


def test_stale_veto_at_five_columns(site: TestSite) -> None:
    stale = {f"/c{i}/index.html": (f"动态{i}", listing(f"动态{i}", [(f"区第{i}项工作会议召开情况", f"/a/{i}.html", ago(30))]))
             for i in range(5)}
    column_site(site, stale, ago(1))
    report = audit(site.url("/"))
    (veto,) = found(report, "columns.stale_veto")
    assert len(veto.evidence["stale_news_notice"]) == 5 and report.verdict.verdict == "不合格"
    stale.pop("/c4/index.html")
    site.routes.pop("/c4/index.html")
    column_site(site, stale, ago(1))
    assert not found(audit(site.url("/")), "columns.stale_veto")


def test_script_loaded_column_is_not_judged(site: TestSite) -> None:
    shell = page("通知公告", "<ul id='list'></ul><script>$.ajax({url:'/api/list', success: render});</script>")
    column_site(site, {"/tzgg/index.html": ("通知公告", shell)}, ago(1))
    report = audit(site.url("/"))
    assert not found(report, "columns.stale") and not found(report, "columns.blank")
    assert any("脚本" in r for r in reasons(report, "columns.stale"))


def test_future_dates_are_suspicious_not_fresh(site: TestSite) -> None:
    items = [("区政府召开常务会议研究部署", "/a/1.html", (TODAY + timedelta(days=30)).isoformat()),
             ("区政府召开专题会议研究部署", "/a/2.html", ago(40))]
    column_site(site, {"/yw/index.html": ("要闻", listing("要闻", items))}, ago(1))
    (finding,) = found(audit(site.url("/")), "columns.stale")
    assert finding.evidence["age_days"] == 40 and len(finding.evidence["future_dates"]) == 1


# -- homepage -----------------------------------------------------------------------------

def test_homepage_stale_and_fresh(site: TestSite) -> None:
    column_site(site, {}, home_date=ago(20))
    report = audit(site.url("/"))
    (finding,) = found(report, "homepage.stale")
    assert finding.evidence["age_days"] == 20 and report.verdict.verdict == "不合格"
    column_site(site, {}, home_date=ago(3))
    assert not found(audit(site.url("/")), "homepage.stale")


def test_navigation_only_homepage_is_judged_by_second_level(site: TestSite) -> None:
    column_site(site, {"/gzdt/index.html": ("工作动态", listing("工作动态", [("区召开安全生产工作会议", "/a/1.html", ago(5))]))})
    assert not found(audit(site.url("/")), "homepage.stale")
    column_site(site, {"/gzdt/index.html": ("工作动态", listing("工作动态", [("区召开安全生产工作会议", "/a/1.html", ago(25))]))})
    (finding,) = found(audit(site.url("/")), "homepage.stale")
    assert "二级页面" in finding.evidence["where"]


def test_no_dates_anywhere_is_not_checked(site: TestSite) -> None:
    column_site(site, {})
    report = audit(site.url("/"))
    assert not found(report, "homepage.stale") and reasons(report, "homepage.stale")


# -- interaction -------------------------------------------------------------------------

def message_site(site: TestSite, rows: list[tuple[str, int, str]]) -> None:
    table = "".join(f'<tr><td><a href="/hd/m{i}.html">{title}</a></td><td>{ago(days)}</td><td>{state}</td></tr>'
                    for i, (title, days, state) in enumerate(rows))
    site.page("/", page("首页", f'<a href="/hd/index.html">咨询留言</a><ul class="list"><li>'
                              f'<a href="/n/1.html">高新区召开工作会议部署工作</a><span>{ago(1)}</span></li></ul>'))
    site.page("/hd/index.html", page("咨询留言", f"<table><tr><th>标题</th><th>留言时间</th><th>状态</th></tr>{table}</table>"))


def test_unanswered_message_over_three_months(site: TestSite) -> None:
    message_site(site, [("关于人才公寓申请条件的咨询", 120, "未回复"), ("关于道路积水问题的反映", 50, "办理中"),
                        ("咨询企业补贴申报时间安排", 200, "已回复"), ("咨询社保转移办理流程问题", 400, "未回复")])
    report = audit(site.url("/"))
    (finding,) = found(report, "interaction.unanswered")
    assert finding.evidence["title"] == "关于人才公寓申请条件的咨询" and finding.evidence["days_waiting"] == 120
    assert report.verdict.verdict == "不合格"


def test_detail_page_with_reply_content_counts_as_answered(site: TestSite) -> None:
    message_site(site, [("关于人才公寓申请条件的咨询", 120, "")])
    site.page("/hd/m0.html", page("留言", f"<p>留言时间：{ago(120)}</p><p>回复内容：您好，申请条件详见人才公寓管理办法第三条。</p>"
                                         f"<p>回复时间：{ago(115)}</p>"))
    report = audit(site.url("/"))
    assert not found(report, "interaction.unanswered") and not reasons(report, "interaction.unanswered")


def test_unknown_reply_state_is_not_a_finding(site: TestSite) -> None:
    message_site(site, [("关于人才公寓申请条件的咨询", 120, "")])
    report = audit(site.url("/"))
    assert not found(report, "interaction.unanswered")
    assert "无法确定是否已回复" in reasons(report, "interaction.unanswered")[0]


def test_no_channel_at_all(site: TestSite) -> None:
    site.page("/", page("首页", '<a href="/news.html">新闻中心</a>'))
    (finding,) = found(audit(site.url("/")), "interaction.unanswered")
    assert "在线互动渠道" in finding.message


# -- dates ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    ("2026-11-20", date(2026, 11, 20)), ("2026年1月5日", date(2026, 1, 5)), ("2026/11/20", date(2026, 11, 20)),
    ("２０２６－１１－２０", date(2026, 11, 20)), ("发布于 2026.11.20 10:30", date(2026, 11, 20)),
])
def test_full_date_forms(text: str, expected: date) -> None:
    assert full_dates(text) == [expected]


def test_month_day_year_inference() -> None:
    assert first_date("11-20", today=date(2026, 11, 26)).value == date(2026, 11, 20)  # type: ignore[union-attr]
    assert first_date("12-20", today=date(2026, 11, 26)).value == date(2025, 12, 20)  # type: ignore[union-attr]
    assert first_date("12-20", today=date(2026, 11, 26), year_hint=2024).value == date(2024, 12, 20)  # type: ignore[union-attr]
    assert first_date("0756-1234567", today=date(2026, 11, 26)) is None


def test_article_date_sources_in_order() -> None:
    """What the reader sees wins: a PubDate meta is often a later re-publication time
    (a real 集约化 page: 生成日期 2023-05-11, PubDate 2023-08-16)."""
    tree = parse_html('<html><head><meta name="PubDate" content="2025-07-14 01:59"></head><body>发布日期：2024-01-01</body></html>')
    assert article_date(tree, "http://a/t20230101_1.html", "发布日期：2024-01-01").source == "label"  # type: ignore[union-attr]
    assert article_date(tree, "http://a/t20230101_1.html", "成文日期：2024-01-01").source == "meta"  # type: ignore[union-attr]
    assert article_date(tree, "http://a/t20230101_1.html", "日期：2024-01-01").source == "meta"  # type: ignore[union-attr]
    tree = parse_html("<html><body>发布时间：2024-01-01</body></html>")
    assert article_date(tree, "http://a/t20230101_1.html", "发布时间：2024-01-01").value == date(2024, 1, 1)  # type: ignore[union-attr]
    assert url_date("http://www.gov.cn/zhengce/content/2018-12/20/content_5350427.htm").value == date(2018, 12, 20)  # type: ignore[union-attr]
    assert url_date("http://a/xwdt/202107/t20210726_1.html").value == date(2021, 7, 26)  # type: ignore[union-attr]


def test_real_central_portal_document_dates() -> None:
    from pathlib import Path

    real = Path(__file__).resolve().parents[2] / "shared" / "realpages" / "govcn_guifanxingwenjian_guobanfa2018_115_fragment.html"
    if not real.exists():
        pytest.skip("../shared/realpages not present")
    html = real.read_text("utf-8")
    tree = parse_html(html)
    text = " ".join(tree.xpath("//text()"))
    assert article_date(tree, "http://www.gov.cn/zhengce/content/2018-12/20/content_5350427.htm", text).value == date(2018, 12, 20)  # type: ignore[union-attr]


# -- columns recognised by their items or another name (#27) ----------------------------------------

def test_a_category_or_list_under_another_name_or_known_by_its_items_is_found(site: TestSite) -> None:
    disclosure_site(site, skip={"c9"}, extra_home='<a href="/zdxm.html">重点项目建设</a>',
                    newmedia='<a href="/xmt.html">新媒体矩阵</a>')
    site.page("/zdxm.html", page("重点项目建设", "<p>正文内容。</p>"))
    named = audit(site.url("/"), kind="portal")
    assert not [f for f in found(named, "disclosure.statutory_missing") if "（10）" in f.message]
    # neither name: a column whose items are projects' approvals, accounts on platforms
    disclosure_site(site, skip={"c9"}, extra_home='<a href="/gs.html">公示公告</a><a href="/zh.html">账号一览</a>', newmedia="")
    site.page("/gs.html", listing("公示公告", [(f"{n}号路市政道路工程项目批复", f"/gs/{n}.html", ago(n)) for n in range(1, 5)]))
    site.page("/zh.html", listing("账号一览", [("高新区发布微信公众号", "/zh/1.html", ago(3)), ("高新区发布微博", "/zh/2.html", ago(4)),
                                              ("高新区发布抖音号", "/zh/3.html", ago(5))]))
    by_items = audit(site.url("/"), kind="portal")
    assert not [f for f in found(by_items, "disclosure.statutory_missing") if "（10）" in f.message]
    assert not found(by_items, "disclosure.newmedia_list_missing")
    # and without those columns, both are reported (the test can fail)
    disclosure_site(site, skip={"c9"}, newmedia="")
    bare = audit(site.url("/"), kind="portal")
    assert [f for f in found(bare, "disclosure.statutory_missing") if "（10）" in f.message]
    assert found(bare, "disclosure.newmedia_list_missing")
