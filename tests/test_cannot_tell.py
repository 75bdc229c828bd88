""""Cannot tell" never becomes "failed": one test per class of false alarm seen on real sites
(the markup classes are in test_markup_corpus.py and test_corpus_sites.py)."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from govaudit.checks.annual_report.model import read_report
from govaudit.checks.annual_report.standalone import check_report
from govaudit.checks.base import Finding, NotChecked, Severity
from govaudit.checks.registry import all_rules
from govaudit.checks.sitemodel.documents import repealed_numbers, version_shown
from govaudit.checks.sitemodel.laws import shipped_library
from govaudit.checks.verdict import PASS, UNDECIDED, judge_site, points_table
from govaudit.config import Config, Deduction, Scoring
from govaudit.demo.annual import report_html
from tests.conftest import audit, fast_config, rules_found
from tests.support.pages import page
from tests.support.server import Reply, TestSite

# -- transport: typed failures, decided once -------------------------------------------------

def _with_external_links(config: Config | None = None) -> Config:
    config = config or fast_config()
    return config.replace(crawl=dataclasses.replace(config.crawl, check_external_links=True))


def test_head_answering_500_or_501_is_asked_again_with_get(site: TestSite) -> None:
    def head_broken(method: str, path: str, headers: dict[str, str]) -> Reply:
        if method == "HEAD":
            return Reply(501 if path.endswith("a.pdf") else 500)
        return Reply(200, b"%PDF-1.4", content_type="application/pdf")
    site.page("/", page("首页", '<a href="/files/a.pdf">附件一</a><a href="/files/b.pdf">附件二</a>'))
    site.route("/files/a.pdf", head_broken).route("/files/b.pdf", head_broken)
    report = audit(site.url("/"))
    assert "links.dead" not in rules_found(report)
    assert site.requested("/files/a.pdf", "GET") >= 1


@pytest.mark.parametrize("status", [412, 521])
def test_firewall_challenge_is_not_a_dead_link(site: TestSite, status: int) -> None:
    site.page("/", page("首页", '<a href="/guard.html">办事指南</a>'))
    site.route("/guard.html", Reply(status, b"<html><script>challenge()</script></html>"))
    report = audit(site.url("/"))
    assert "links.dead" not in rules_found(report)
    assert any(n.rule == "links.dead" and n.url == site.url("/guard.html") for n in report.results.not_checked)


def test_hosts_never_resolved_are_unknown_not_nxdomain(site: TestSite) -> None:
    site.page("/", page("首页", '<a href="http://www.other-unit.gov.cn/">兄弟单位</a>'))
    report = audit(site.url("/"), _with_external_links())  # resolve_only_mapped: DNS is never asked
    assert "links.dead" not in rules_found(report)
    (note,) = [n for n in report.results.not_checked if n.url == "http://www.other-unit.gov.cn/"]
    assert "未解析" in note.reason


def test_ip_literal_links_are_never_contacted_with_only_mapped_addresses(site: TestSite) -> None:
    with TestSite("127.0.0.3") as elsewhere:   # stands for a literal public address on a real page
        site.page("/", page("首页", f'<a href="{elsewhere.url("/")}">旧系统</a>'))
        config = _with_external_links()
        assert config.network.resolve_only_mapped
        report = audit(site.url("/"), config)
        assert elsewhere.hits == []
    assert "links.dead" not in rules_found(report)


def test_a_missing_favicon_costs_nothing(site: TestSite) -> None:
    site.page("/", page("首页").replace("<head>", '<head><link rel="shortcut icon" href="/favicon.ico">'))
    report = audit(site.url("/"))
    assert site.requested("/favicon.ico") >= 1   # checked, and found missing
    assert "links.dead" not in rules_found(report)
    assert not any(d.rule == "links.dead" for d in report.verdict.deductions)


def test_homepage_not_asked_is_no_veto() -> None:
    report = audit("http://www.never-resolved.gov.cn/")
    assert "site.unreachable" not in rules_found(report)
    assert report.verdict.verdict == UNDECIDED


# -- the disclosure platform and the unit's duties --------------------------------------------

def test_regulation_title_is_not_the_disclosure_column(site: TestSite) -> None:
    site.page("/", page("首页", '<a href="/fg/tiaoli.html">《中华人民共和国政府信息公开条例》</a>'))
    site.page("/fg/tiaoli.html", page("条例", "<p>第一条 为了保障公民、法人和其他组织依法获取政府信息……</p>"))
    report = audit(site.url("/"))
    assert "disclosure.column_missing" in rules_found(report)
    assert not {"disclosure.subcolumn_missing", "disclosure.statutory_missing"} & set(rules_found(report))


def test_disclosure_platform_on_a_sibling_host_is_named_not_missing(site: TestSite) -> None:
    with TestSite("127.0.0.2") as xxgk:
        xxgk.page("/", page("信息公开", '<a href="/zn.html">政府信息公开指南</a>'))
        site.page("/", page("首页", f'<a href="{xxgk.url("/")}">政府信息公开</a>'))
        report = audit(site.url("/"))
    found = rules_found(report)
    for rule in ("disclosure.subcolumn_missing", "disclosure.statutory_missing", "disclosure.guide_incomplete",
                 "regulations.library_missing", "disclosure.newmedia_list_missing"):
        assert rule not in found
    (note,) = [n for n in report.results.not_checked if n.rule == "disclosure.subcolumn_missing"]
    assert "127.0.0.2" in note.reason and "same_site_hosts" in note.reason


def test_department_on_the_portals_platforms_is_not_told_it_has_none(site: TestSite) -> None:
    portal_platform = "http://www.portal-unified.gov.cn/hdjl/index.html"   # the portal's unified 互动 platform
    site.page("/", page("科技创新局", f'<a href="/zwgk/">政府信息公开</a><a href="{portal_platform}">'
                                     '<img src="/images/hd.png" alt="政民互动"></a>'))
    site.page("/zwgk/", page("政府信息公开", '<a href="/zwgk/zn.html">政府信息公开指南</a>'))
    report = audit(site.url("/"), kind="department")
    found = rules_found(report)
    assert "interaction.unanswered" not in found and "regulations.library_missing" not in found
    unchecked = {n.rule: n.reason for n in report.results.not_checked}
    assert "政民互动" in unchecked["interaction.unanswered"]   # the channel is named; its list is elsewhere
    assert "部门网站" in unchecked["regulations.library_missing"]


# -- annual reports --------------------------------------------------------------------------

def test_blank_total_cell_never_enters_the_arithmetic() -> None:
    html = report_html(2025, overrides={("total", 6): ""})   # type: ignore[dict-item]
    _, outcomes = check_report(html.encode(), "report.html")
    rules = sorted(o.rule for o in outcomes if isinstance(o, Finding))
    assert rules == ["annual_report.blank_cells"]


@pytest.mark.parametrize("name,data", [
    ("2025年报.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600),
    ("2025年报.wps", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x01" * 600),
    ("2025年报.ofd", b"PK\x03\x04" + b"\x00" * 300),
])
def test_unreadable_report_formats_are_not_checked(name: str, data: bytes) -> None:
    report = read_report(data, name, "")
    assert report.unreadable and "无法读取" in report.unreadable
    _, outcomes = check_report(data, name)
    assert outcomes and all(isinstance(o, NotChecked) for o in outcomes)


# -- regulations -----------------------------------------------------------------------------

def test_long_npc_amendment_clause_is_the_version_shown() -> None:
    preamble = ("（1988年11月8日第七届全国人民代表大会常务委员会第四次会议通过　根据2018年10月26日第十三届全国人民代表大会"
                "常务委员会第六次会议《关于修改〈中华人民共和国野生动物保护法〉等十五部法律的决定》第三次修正）")
    version, evidence = version_shown("中华人民共和国野生动物保护法", preamble, None)
    assert version == date(2018, 10, 26) and "修正" in evidence


def test_the_basis_of_a_repeal_sentence_is_not_repealed() -> None:
    text = "根据《国务院办公厅关于加强行政规范性文件制定和监督管理工作的通知》（国办发〔2018〕37号），《高新区文件管理办法》（珠高办〔2015〕3号）同时废止。"  # noqa: E501
    assert repealed_numbers(text) == {"珠高办〔2015〕3号"}


def test_shipped_law_library_has_the_corrected_statuses() -> None:
    library = shipped_library()
    for title in ("学位条例", "印花税暂行条例", "档案法实施办法", "进出口关税条例"):
        law = library.find(title)
        assert law is not None and law.status == "已废止", title


# -- the verdict -----------------------------------------------------------------------------

def _finding(rule: str, severity: Severity) -> Finding:
    return Finding(rule=rule, severity=severity, basis="", title="", url="http://a/", message="", evidence={})


def test_verdict_names_the_vetoes_it_could_not_check() -> None:
    vetoes = [r.id for r in all_rules() if r.severity is Severity.VETO]
    some = [NotChecked("interaction.unanswered", "留言列表由脚本加载")]
    verdict = judge_site([], homepage_loaded=True, scoring=Scoring(), rules=all_rules(), not_checked=some)
    assert verdict.verdict == PASS and verdict.vetoes_not_checked == ("interaction.unanswered",)
    every = [NotChecked(rule, "无法判断") for rule in vetoes]
    verdict = judge_site([], homepage_loaded=True, scoring=Scoring(), rules=all_rules(), not_checked=every)
    assert verdict.verdict == UNDECIDED and verdict.score == 100.0


def test_every_deduct_rule_declares_default_points() -> None:
    deductions = points_table(Scoring(), all_rules())
    for rule in all_rules():
        if rule.severity is Severity.DEDUCT:
            assert rule.points is not None and rule.points.points > 0, rule.id
            assert deductions[rule.id] == rule.points
    one_of_each = [_finding(r.id, r.severity) for r in all_rules() if r.severity is Severity.DEDUCT]
    assert judge_site(one_of_each, homepage_loaded=True, scoring=Scoring(), rules=all_rules()).score < 80
    office = Scoring(deductions={"links.dead": Deduction(points=0.0)})   # the office's table wins, rule by rule
    assert points_table(office, all_rules())["links.dead"].points == 0.0
    assert points_table(office, all_rules())["identity.icp"] == deductions["identity.icp"]




def test_a_table_shown_but_unreadable_is_not_missing() -> None:
    html = report_html(2025)
    start = html.index("<table", html.index("三、收到和处理政府信息公开申请情况"))
    end = html.index("</table>", start) + len("</table>")
    flattened = ("<p>本年新收政府信息公开申请数量、上年结转政府信息公开申请数量等各项数据见下图。</p>"
                 "<img src='/nb/2025-table3.png' alt=''>")
    _, outcomes = check_report((html[:start] + flattened + html[end:]).encode(), "report.html")
    tables = [o for o in outcomes if o.rule == "annual_report.tables"]
    assert tables and not [o for o in tables if isinstance(o, Finding)]
    assert any("表三" in o.reason for o in tables if isinstance(o, NotChecked))
