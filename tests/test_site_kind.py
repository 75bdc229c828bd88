"""A site's kind when nobody configured it (#27): inferred from its sponsor and host, recorded
in the report; a department inspected on demand is never held to a portal's duties, and a
site whose kind cannot be told has those duties not checked. The sponsor read in every
common footer phrasing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from govaudit.checks.identity.sponsor import sponsor_name
from govaudit.checks.sitemodel.kind import kind_of_host, kind_of_sponsor
from govaudit.cli import main
from tests.conftest import audit, fast_config
from tests.support.pages import footer, page
from tests.support.server import TestSite

PORTAL_DUTIES = {"disclosure.statutory_missing", "regulations.library_missing", "interaction.unanswered"}


@pytest.mark.parametrize(("text", "name"), [
    ("主办：珠海市人民政府办公室 承办：珠海市政务服务和数据管理局", "珠海市人民政府办公室"),
    ("主办单位: 珠海市水利局", "珠海市水利局"),
    ("网站主办单位：珠海市统计局 网站标识码：4404000012", "珠海市统计局"),
    ("网站主办 珠海市科技创新局 联系电话：0756-1234567", "珠海市科技创新局"),
    ("珠海市人民政府办公室主办 珠海市政务服务数据管理局承办", "珠海市人民政府办公室"),
    ("版权所有：珠海市审计局 珠海市审计局主办", "珠海市审计局"),
    ("本网站由珠海市文化广电旅游体育局主办", "珠海市文化广电旅游体育局"),
    ("中共珠海市委、珠海市人民政府 主办", "中共珠海市委、珠海市人民政府"),
    ("Copyright © 2024 珠海市审计局主办 粤ICP备12345678号", "珠海市审计局"),
    ("版权所有主办单位：珠海市审计局", "珠海市审计局"),
    ("中国(广东)自由贸易试验区珠海横琴新区片区管委会主办", "中国(广东)自由贸易试验区珠海横琴新区片区管委会"),
    ("珠海市水利局 主办 珠海市政务服务数据管理局 承办", "珠海市水利局"),      # elements met with spaces
    ("主办单位：", None),
    ("承办：珠海市政务服务数据管理局 技术支持：某公司", None),
])
def test_the_sponsor_is_read_in_every_common_phrasing(text: str, name: str | None) -> None:
    assert sponsor_name(text) == name


@pytest.mark.parametrize("sponsor", [
    "珠海市水利局主办",                                         # "主办" after the name
    "<span>主办单位：</span><span>珠海市水利局</span>",            # split across elements
    '<img src="/images/red.png" alt="主办单位：珠海市水利局">',     # only in an image's alt
    '<a title="主办：珠海市水利局" href="/">网站信息</a> 主办：珠海市水利局',
])
def test_a_sponsor_written_another_way_is_no_finding(site: TestSite, sponsor: str) -> None:
    site.page("/", page("首页", "<p>2026年11月20日 通知</p>", foot=footer(replace={"identity.sponsor": sponsor})))
    report = audit(site.url("/"), kind="department")
    assert "identity.sponsor" not in {f.rule for f in report.results.findings}


@pytest.mark.parametrize(("host", "kind"), [
    ("www.zhuhai.gov.cn", "portal"), ("zhuhai.gov.cn", "portal"), ("slj.bd.gov.cn", "department"),
    ("www.kjj.zhuhai.gov.cn", "department"), ("www.zhuhai.政务", "portal"), ("kjj.zhuhai.政务", "department"),
    ("127.0.0.1", None), ("www.example.com", None), ("localhost", None),
])
def test_the_kind_a_host_shows(host: str, kind: str | None) -> None:
    assert kind_of_host(host) == kind


@pytest.mark.parametrize(("sponsor", "kind"), [
    ("珠海市人民政府", "portal"), ("珠海市人民政府办公室", "portal"), ("珠海高新区党政办公室", "portal"),
    ("横琴粤澳深度合作区执行委员会", "department"), ("珠海高新区管理委员会", "portal"), ("珠海市水利局", "department"),
    ("珠海市发展和改革委员会", "department"), ("珠海市大数据中心", "department"), ("某某网络科技有限公司", None),
    ("珠海高新区党政办公室（演示）", "portal"), ("珠海市水利局(挂珠海市水务局牌子)", "department"),
])
def test_the_kind_a_sponsor_shows(sponsor: str, kind: str | None) -> None:
    assert kind_of_sponsor(sponsor) == kind


def _bare_department(site: TestSite) -> None:
    """A department's site with none of a portal's duties: no disclosure categories, no
    library, no consultation channel."""
    foot = footer(replace={"identity.sponsor": "主办：珠海市科技创新局"})
    site.page("/", page("珠海市科技创新局", '<p>2026年11月20日 通知</p><a href="/news.html">工作动态</a>'
                        ' <a href="/xxgk/">政府信息公开</a>', foot=foot))
    site.page("/xxgk/", page("政府信息公开", '<a href="/xxgk/zn.html">政府信息公开指南</a> <a href="/xxgk/zd.html">政府信息公开制度</a>'
                             ' <a href="/news.html">机构职能</a>', foot=foot))
    site.page("/news.html", page("工作动态", "<ul><li><a href='/a.html'>科技工作会议</a> 2026-11-20</li></ul>", foot=foot))
    site.page("/a.html", page("科技工作会议", "<p>发布日期：2026-11-20</p><p>会议召开。</p>", foot=foot))


def test_a_department_inspected_with_no_configuration_has_no_portal_duty(site: TestSite, tmp_path: Path) -> None:
    _bare_department(site)
    host = "kjj.zhuhai.gov.cn"
    config = tmp_path / "config.toml"
    config.write_text("[network]\nresolve_only_mapped = true\n[crawl]\ncheck_external_links = false\n"
                      "[retry]\nbackoff_s = 0.05\n[politeness]\nmin_interval_s = 0\n[render]\nmode = \"never\"\n"
                      "[run]\njudge = \"thread\"\n", encoding="utf-8")
    url = f"http://{host}:{site.port}/"
    result = CliRunner().invoke(main, ["inspect", url, "--config", str(config), "--resolve", f"{host}:127.0.0.1",
                                       "--out", str(tmp_path / "out"), "--today", "2026-11-26"])
    assert result.exit_code in (0, 1), result.output
    (entry,) = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))["sites"]
    assert entry["kind"] == "department" and entry["kind_source"] == "inferred"
    assert "珠海市科技创新局" in entry["kind_reason"] and host in entry["kind_reason"]
    assert not PORTAL_DUTIES & {f["rule"] for f in entry["findings"]}
    assert PORTAL_DUTIES <= {n["rule"] for n in entry["not_checked"]}
    assert "部门网站" in (tmp_path / "out" / "report.html").read_text("utf-8")


def test_the_same_site_configured_as_a_portal_is_held_to_them(site: TestSite) -> None:
    _bare_department(site)
    report = audit(site.url("/"), kind="portal")
    assert PORTAL_DUTIES <= {f.rule for f in report.results.findings}


def test_a_site_whose_kind_cannot_be_told_has_those_duties_not_checked(site: TestSite) -> None:
    _bare_department(site)
    foot = footer(replace={"identity.sponsor": "主办：某某网络科技有限公司"})
    site.page("/", page("首页", '<p>2026年11月20日 通知</p><a href="/news.html">工作动态</a>', foot=foot))
    report = audit(site.url("/"), fast_config())
    assert not PORTAL_DUTIES & {f.rule for f in report.results.findings}
    reasons = {n.rule: n.reason for n in report.results.not_checked}
    assert all("无法从网站推断" in reasons[rule] for rule in PORTAL_DUTIES)
    assert "某某网络科技有限公司" in reasons["disclosure.statutory_missing"]
