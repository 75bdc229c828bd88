"""Regulations (plan tasks 25-27): version against the national reference, repealed texts,
validity marks, the 20-working-day rule, the library import. Today is 2026-11-26."""

from __future__ import annotations

from datetime import date
from importlib import resources
from pathlib import Path

import pytest
from click.testing import CliRunner

from govaudit.checks.regulations.late_publication import working_days_between
from govaudit.checks.sitemodel.laws import normalise_title, parse_library, shipped_library
from govaudit.cli import main
from govaudit.reports.document import SiteReport
from tests.conftest import audit
from tests.support.pages import page
from tests.support.server import TestSite


def govcn_document(title: str, doc_no: str, written: str, published: str, body: str, validity: str = "") -> str:
    validity_row = f"<tr><td>有 效 性：</td><td>{validity}</td></tr>" if validity else ""
    table = (f"<table><tr><td>索 引 号：</td><td>000014349/2021-00001</td><td>主题分类：</td><td>综合政务</td></tr>"
             f"<tr><td>发文机关：</td><td>国务院</td><td>成文日期：</td><td>{written}</td></tr>"
             f"<tr><td>标 题：</td><td>{title}</td></tr>"
             f"<tr><td>发文字号：</td><td>{doc_no}</td><td>发布日期：</td><td>{published}</td></tr>{validity_row}</table>")
    return page(title, f"{table}<h1>{title}</h1>{body}")


OLD_OGI = govcn_document("中华人民共和国政府信息公开条例", "国务院令第492号", "2007年04月05日", "2007年04月24日",
                         "<p>（2007年4月5日中华人民共和国国务院令第492号公布 自2008年5月1日起施行）</p><p>第一条 为了保障……</p>")
NEW_OGI = govcn_document("中华人民共和国政府信息公开条例", "国务院令第711号", "2019年04月03日", "2019年04月15日",
                         "<p>（2007年4月5日中华人民共和国国务院令第492号公布 2019年4月3日中华人民共和国国务院令第711号修订）</p>")
REPEALED = govcn_document("中华人民共和国中外合资经营企业法实施条例", "国务院令第148号", "2019年03月02日", "2019年03月20日",
                          "<p>（1983年9月20日国务院发布 根据2019年3月2日《国务院关于修改部分行政法规的决定》第六次修订）</p>")


def _findings(report: SiteReport, rule: str) -> list:  # type: ignore[type-arg]
    return [f for f in report.results.findings if f.rule == rule]


def law_site(site: TestSite, law_pages: dict[str, str]) -> None:
    links = "".join(f'<li><a href="{path}">{title}</a><span>2026-11-01</span></li>'
                    for path, title in ((p, "法规全文" + p[-6:]) for p in law_pages))
    site.page("/", page("首页", '<a href="/flfg/index.html">法律法规</a><a href="/gfxwj/index.html">规范性文件</a>'))
    site.page("/flfg/index.html", page("法律法规", f"<ul class='list'>{links}</ul>"))
    for path, html in law_pages.items():
        site.page(path, html)


def test_old_version_is_outdated_and_current_twin_is_not(site: TestSite) -> None:
    law_site(site, {"/flfg/a1.html": OLD_OGI, "/flfg/a2.html": NEW_OGI})
    report = audit(site.url("/"))
    (finding,) = _findings(report, "regulations.outdated")
    assert finding.url == site.url("/flfg/a1.html")
    assert finding.evidence["version_shown"] == "2007-04-05" and finding.evidence["current_version"] == "2019-04-03"
    assert finding.evidence["library_snapshot"] == "2025-04-19"


def test_real_central_portal_regulation_page_is_current(site: TestSite) -> None:
    real = Path(__file__).resolve().parents[2] / "shared" / "realpages" / \
        "govcn_xingzhengfagui_guoling706_zhuanli_daili_tiaoli_2018_fragment.html"
    if not real.exists():
        pytest.skip("../shared/realpages not present")
    law_site(site, {"/flfg/a1.html": real.read_text("utf-8")})
    report = audit(site.url("/"))
    assert not _findings(report, "regulations.outdated")
    row = next(d for d in report.views["regulations"]["documents"] if d["url"].endswith("a1.html"))
    assert row["title"] == "专利代理条例" and row["version_shown"] == "2018-11-06" and row["doc_no"] == "国令第706号"


def test_repealed_law_shown_as_current_and_marked_twin(site: TestSite) -> None:
    law_site(site, {"/flfg/a1.html": REPEALED})
    (finding,) = _findings(audit(site.url("/")), "regulations.repealed_shown")
    assert finding.evidence["status"] == "已废止"
    law_site(site, {"/flfg/a1.html": REPEALED.replace("<h1>", "<p>【已废止】</p><h1>")})
    assert not _findings(audit(site.url("/")), "regulations.repealed_shown")


def test_title_unknown_to_the_library_is_a_notice_only(site: TestSite) -> None:
    law_site(site, {"/flfg/a1.html": govcn_document("广东省政务公开条例", "国务院令第999号", "2021年07月29日", "2021年08月02日", "")})
    report = audit(site.url("/"))
    assert not _findings(report, "regulations.outdated")
    assert any("不在法规参考库" in n.reason for n in report.results.not_checked if n.rule == "regulations.outdated")


def document_library(site: TestSite, rows: list[tuple[str, str, str, str]], docs: dict[str, str]) -> None:
    table = "".join(f'<tr><td><a href="{href}">{title}</a></td><td>{no}</td><td>{validity}</td></tr>'
                    for href, title, no, validity in rows)
    site.page("/", page("首页", '<a href="/gfxwj/index.html">规范性文件</a>'))
    site.page("/gfxwj/index.html", page("规范性文件", f"<table><tr><th>标题</th><th>文号</th><th>有效性</th></tr>{table}</table>"))
    for path, html in docs.items():
        site.page(path, html)


def _doc(title: str, no: str, body: str = "<p>正文。</p>", validity: str = "", written: str = "2026年10月09日",
         published: str = "2026年10月12日") -> str:
    return govcn_document(title, no, written, published, body, validity)


def test_missing_validity_mark_and_marked_twins(site: TestSite) -> None:
    document_library(site, [
        ("/gfxwj/1.html", "珠海高新区促进科技创新若干措施文件", "珠高规〔2025〕3号", ""),
        ("/gfxwj/2.html", "珠海高新区人才公寓管理办法文件", "珠高规〔2025〕4号", "有效"),
        ("/gfxwj/3.html", "珠海高新区政务公开工作规定文件", "珠高办〔2026〕8号", ""),
    ], {"/gfxwj/1.html": _doc("珠海高新区促进科技创新若干措施", "珠高规〔2025〕3号"),
        "/gfxwj/2.html": _doc("珠海高新区人才公寓管理办法", "珠高规〔2025〕4号"),
        "/gfxwj/3.html": _doc("珠海高新区政务公开工作规定", "珠高办〔2026〕8号", validity="有效")})
    (finding,) = _findings(audit(site.url("/")), "regulations.no_validity")
    assert finding.evidence["doc_no"] == "珠高规〔2025〕3号"


def test_document_repealed_by_a_later_one_still_marked_valid(site: TestSite) -> None:
    document_library(site, [
        ("/gfxwj/1.html", "珠海高新区政务公开管理办法文件", "珠高办〔2024〕12号", "有效"),
        ("/gfxwj/2.html", "珠海高新区政务公开工作规定文件", "珠高办〔2026〕8号", "有效"),
    ], {"/gfxwj/1.html": _doc("珠海高新区政务公开管理办法", "珠高办〔2024〕12号", validity="有效"),
        "/gfxwj/2.html": _doc("珠海高新区政务公开工作规定", "珠高办〔2026〕8号", validity="有效",
                              body="<p>本规定自印发之日起施行，《珠海高新区政务公开管理办法》（珠高办〔2024〕12号）同时废止。</p>")})
    (finding,) = _findings(audit(site.url("/")), "regulations.repealed_shown")
    assert finding.evidence["doc_no"] == "珠高办〔2024〕12号" and finding.evidence["repealed_by"] == site.url("/gfxwj/2.html")


def test_a_list_page_with_row_notes_repeals_nothing(site: TestSite) -> None:
    """#27: a row note "已被××〔2026〕8号废止" on the library list, and a sidebar of the latest
    documents on each page, made every in-force document on that list "repealed"."""
    rows = [("/gfxwj/1.html", "珠海高新区政务公开管理办法", "珠高办〔2024〕12号", "失效", "已被珠高办〔2026〕8号废止"),
            ("/gfxwj/2.html", "珠海高新区政务公开工作规定", "珠高办〔2026〕8号", "有效", ""),
            ("/gfxwj/3.html", "珠海高新区人才公寓管理办法", "珠高规〔2025〕4号", "有效", "")]
    table = "".join(f'<tr><td><a href="{href}">{title}</a></td><td>{no}</td><td>{validity}</td><td>{note}</td></tr>'
                    for href, title, no, validity, note in rows)
    sidebar = ('<div class="side"><h3>最新文件</h3><a href="/gfxwj/2.html">珠海高新区政务公开工作规定'
               '（珠高办〔2026〕8号，珠高办〔2024〕12号同时废止）</a></div>')
    site.page("/", page("首页", '<a href="/gfxwj/index.html">规范性文件</a>'))
    site.page("/gfxwj/index.html", page("规范性文件", "<table><tr><th>标题</th><th>文号</th><th>有效性</th><th>备注</th></tr>"
                                            f"{table}</table>{sidebar}"))
    site.page("/gfxwj/1.html", _doc("珠海高新区政务公开管理办法", "珠高办〔2024〕12号", validity="失效", body=f"<p>正文。</p>{sidebar}"))
    site.page("/gfxwj/2.html", _doc("珠海高新区政务公开工作规定", "珠高办〔2026〕8号", validity="有效", body=f"<p>正文。</p>{sidebar}"))
    site.page("/gfxwj/3.html", _doc("珠海高新区人才公寓管理办法", "珠高规〔2025〕4号", validity="有效", body=f"<p>正文。</p>{sidebar}"))
    assert not _findings(audit(site.url("/")), "regulations.repealed_shown")


def test_twenty_working_days_across_the_national_day_holiday() -> None:
    # 2021: 国庆 10/1-10/7 off, 9/26 (Sun) and 10/9 (Sat) worked.
    assert working_days_between(date(2021, 9, 24), date(2021, 10, 27)) == 20
    assert working_days_between(date(2021, 9, 24), date(2021, 10, 28)) == 21


def test_late_publication_counts_working_days(site: TestSite) -> None:
    document_library(site, [("/gfxwj/1.html", "关于印发工作方案的通知文件", "珠高办〔2021〕50号", "有效"),
                            ("/gfxwj/2.html", "关于印发实施细则的通知文件", "珠高办〔2021〕51号", "有效")], {
        "/gfxwj/1.html": _doc("关于印发工作方案的通知", "珠高办〔2021〕50号", written="2021年09月24日", published="2021年10月27日"),
        "/gfxwj/2.html": _doc("关于印发实施细则的通知", "珠高办〔2021〕51号", written="2021年09月24日", published="2021年10月28日")})
    (finding,) = _findings(audit(site.url("/")), "regulations.late_publication")
    assert finding.evidence["doc_no"] == "珠高办〔2021〕51号" and finding.evidence["working_days"] == 21


def test_a_signing_date_in_chinese_numerals_counts(site: TestSite) -> None:
    """#27: 成文日期 二〇二一年九月二十四日 in the label/value table was not read, so a document
    published a month later escaped the 20-working-day rule."""
    document_library(site, [("/gfxwj/1.html", "关于印发实施细则的通知文件", "珠高办〔2021〕51号", "有效")], {
        "/gfxwj/1.html": _doc("关于印发实施细则的通知", "珠高办〔2021〕51号", written="二○二一年九月二十四日",
                              published="2021年10月28日")})
    (finding,) = _findings(audit(site.url("/")), "regulations.late_publication")
    assert finding.evidence["working_days"] == 21


def test_library_missing_and_present(site: TestSite) -> None:
    site.page("/", page("首页", '<a href="/xw/index.html">新闻中心</a>'))
    assert len(_findings(audit(site.url("/")), "regulations.library_missing")) == 1
    site.page("/", page("首页", '<a href="/gz/index.html">现行有效规章</a>'))
    assert not _findings(audit(site.url("/")), "regulations.library_missing")


@pytest.mark.parametrize("raw,expected", [
    ("《中华人民共和国政府信息公开条例》", "政府信息公开条例"), ("政府信息公开条例（2019年修订）", "政府信息公开条例"),
    ("中华人民共和国 政府信息公开 条例", "政府信息公开条例"), ("专利代理条例（全文）", "专利代理条例"),
    ("《公司法》(2018年修正)", "公司法"),
])
def test_title_normalisation(raw: str, expected: str) -> None:
    assert normalise_title(raw) == expected


def test_import_round_trips_and_a_corrupt_file_keeps_the_old_library(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[store]\npath = "store.sqlite"\n', encoding="utf-8")
    shipped = resources.files("govaudit.checks.data").joinpath("national-laws-reference.csv").read_text("utf-8")
    newer = tmp_path / "laws.csv"
    newer.write_text(shipped.replace("政府信息公开条例,行政法规,2019-04-03,,现行有效,2019-04-03",
                                     "政府信息公开条例,行政法规,2026-06-01,,现行有效,2019-04-03;2026-06-01"), encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(main, ["regulations", "import", str(newer), "--config", str(config), "--snapshot-date", "2026-11-01"])
    assert result.exit_code == 0, result.output
    assert f"已导入 {len(shipped_library())} 部" in result.output
    shown = runner.invoke(main, ["regulations", "show", "《中华人民共和国政府信息公开条例》", "--config", str(config)])
    assert "最新版本：2026-06-01" in shown.output and "快照 2026-11-01" in shown.output
    corrupt = tmp_path / "corrupt.csv"
    corrupt.write_text(shipped.replace("2019-04-03,,现行有效", "2019-04-31,,现行有效", 1), encoding="utf-8")
    rejected = runner.invoke(main, ["regulations", "import", str(corrupt), "--config", str(config)])
    assert rejected.exit_code == 2 and "latest_version" in rejected.output and "原有参考库保持不变" in rejected.output
    again = runner.invoke(main, ["regulations", "show", "政府信息公开条例", "--config", str(config)])
    assert "最新版本：2026-06-01" in again.output


def test_shipped_library_parses_whole_and_merges_versions() -> None:
    library = shipped_library()
    assert len(library) > 900 and library.snapshot_date == date(2025, 4, 19)
    sports = library.find("中华人民共和国体育法")
    assert sports is not None and not sports.repealed and sports.latest_version == date(2022, 6, 24)
    with pytest.raises(ValueError, match="没有任何法规记录"):
        parse_library("title,level,latest_version,in_force_from,status,known_versions\n",
                      snapshot_date=date.today(), source="x")
    with pytest.raises(ValueError, match="第 1 行表头"):
        parse_library("title,level\n", snapshot_date=date.today(), source="x")
