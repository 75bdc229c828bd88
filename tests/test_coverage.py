"""Coverage before absence (#27): no rule claims something is missing on pages it did not
read. The property over page limits: whatever a crawl cut short at N pages reports, the
whole crawl reports too (a finding at limit N is a finding with no limit)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from govaudit.config import Config, RunOptions
from govaudit.demo.server import serve_demo
from govaudit.demo.settings import demo_config
from govaudit.inspection import inspect_sites
from tests.conftest import audit, fast_config
from tests.support.pages import footer, page
from tests.support.server import TestSite

TODAY = date.today()


@pytest.fixture(scope="module")
def demo_base() -> Iterator[Config]:
    with serve_demo(TODAY) as port:
        yield demo_config(port).replace(run=RunOptions(judge="thread"))


def _found(config: Config, store: Path) -> set[tuple[str, str]]:
    result = inspect_sites(config, list(config.sites), store_path=store, today=TODAY)
    return {(site["name"], finding["rule"]) for site in result.document["sites"] for finding in site["findings"]}


def test_a_finding_at_any_page_limit_is_a_finding_with_no_limit(demo_base: Config, tmp_path: Path) -> None:
    whole = _found(demo_base, tmp_path / "whole.sqlite")
    assert whole
    for limit in (1, 5, 20):
        cut = demo_base.replace(crawl=dataclasses.replace(demo_base.crawl, max_pages=limit))
        assert _found(cut, tmp_path / f"cut{limit}.sqlite") <= whole, f"max_pages = {limit}"


def _portal_with_a_deep_column(site: TestSite) -> None:
    """A portal whose 专栏 links to its sub-columns, the 年度报告 among them, and the report."""
    foot = footer(replace={"identity.sponsor": "主办：测试区人民政府办公室"})
    site.page("/", page("测试区人民政府", '<p>2026年11月20日 通知</p><a href="/xxgk/">政府信息公开</a>'
                        '<a href="/zwfw/">政务服务</a><a href="/hdjl/">互动交流</a>', foot=foot))
    site.page("/xxgk/", page("政府信息公开", '<a href="/xxgk/zn.html">政府信息公开指南</a> <a href="/xxgk/zd.html">'
                             '政府信息公开制度</a> <a href="/xxgk/nb/">政府信息公开年度报告</a> <a href="/xxgk/gfxwj/">'
                             '规范性文件</a> <a href="/xxgk/xmt.html">政务新媒体</a>', foot=foot))
    site.page("/xxgk/nb/", page("政府信息公开年度报告", '<ul><li><a href="/xxgk/nb/2025.html">测试区人民政府2025年'
                                "政府信息公开工作年度报告</a> 2026-03-20</li></ul>", foot=foot))
    site.page("/xxgk/nb/2025.html", page("测试区人民政府2025年政府信息公开工作年度报告",
                                         "<p>发布日期：2026-03-20</p><p>一、总体情况……</p>", foot=foot))


def test_a_column_left_unread_by_the_page_limit_is_not_a_missing_report(site: TestSite) -> None:
    _portal_with_a_deep_column(site)
    config = fast_config()
    whole = audit(site.url("/"), config, kind="portal")
    assert "annual_report.missing" not in {f.rule for f in whole.results.findings}
    cut = audit(site.url("/"), config.replace(crawl=dataclasses.replace(config.crawl, max_pages=3)), kind="portal")
    assert "annual_report.missing" not in {f.rule for f in cut.results.findings}
    reason = next(n.reason for n in cut.results.not_checked if n.rule == "annual_report.missing")
    assert "页面上限（3 页）" in reason and "未读取" in reason


def test_a_homepage_whose_links_went_unread_proves_no_missing_entry(site: TestSite) -> None:
    foot = footer(replace={"identity.sponsor": "主办：测试区人民政府办公室"})
    links = "".join(f'<a href="/c{n}.html">栏目{n}</a>' for n in range(8))
    site.page("/", page("测试区人民政府", f"<p>2026年11月20日 通知</p>{links}", foot=foot))
    for n in range(8):
        site.page(f"/c{n}.html", page(f"栏目{n}", "<p>2026年11月20日 通知</p>", foot=foot))
    config = fast_config()
    cut = audit(site.url("/"), config.replace(crawl=dataclasses.replace(config.crawl, max_pages=2)), kind="portal")
    claimed = {f.rule for f in cut.results.findings}
    assert not claimed & {"disclosure.column_missing", "service.entry_missing", "interaction.unanswered"}
    whole = audit(site.url("/"), config, kind="portal")
    assert {"disclosure.column_missing", "service.entry_missing", "interaction.unanswered"} <= \
        {f.rule for f in whole.results.findings}


def test_pages_past_the_depth_limit_are_noted_and_prove_no_absence(site: TestSite) -> None:
    _portal_with_a_deep_column(site)
    config = fast_config()
    shallow = audit(site.url("/"), config.replace(crawl=dataclasses.replace(config.crawl, max_depth=1)), kind="portal")
    (note,) = [n for n in shallow.snapshot.notes if n.kind == "limit_depth"]
    assert "深度上限（1 层）" in note.detail and site.url("/xxgk/nb/") in note.urls
    assert "annual_report.missing" not in {f.rule for f in shallow.results.findings}
    reason = next(n.reason for n in shallow.results.not_checked if n.rule == "annual_report.missing")
    assert "深度上限（1 层）" in reason


def test_the_same_holds_on_the_markup_corpus_site() -> None:
    """Every corpus page (real CMS markup, GBK among them) linked from one homepage."""
    from tests.corpus import corpus_config, serve_corpus

    with TestSite("127.0.0.1") as site:
        serve_corpus(site)
        base = corpus_config()

        def rules(config: Config) -> set[str]:
            return {f.rule for f in audit(site.url("/"), config, name="标记语料站点").results.findings}

        whole = rules(base)
        assert whole
        for limit in (1, 5, 20):
            assert rules(base.replace(crawl=dataclasses.replace(base.crawl, max_pages=limit))) <= whole, limit


def test_a_column_on_another_host_hides_what_is_behind_it() -> None:
    foot = footer(replace={"identity.sponsor": "主办：测试区人民政府办公室"})
    with TestSite("127.0.0.1") as portal, TestSite("127.0.0.2") as platform:
        platform.page("/gk/", page("政府信息公开", '<a href="/gk/zn.html">政府信息公开指南</a>', foot=foot))
        portal.page("/", page("测试区人民政府", f'<p>2026年11月20日 通知</p><a href="{platform.url("/gk/")}">政府信息公开</a>',
                              foot=foot))
        report = audit(portal.url("/"), kind="portal")
    claimed = {f.rule for f in report.results.findings}
    behind = {"disclosure.subcolumn_missing", "disclosure.statutory_missing", "disclosure.guide_incomplete",
              "disclosure.newmedia_list_missing", "annual_report.missing", "regulations.library_missing"}
    assert not claimed & behind
    reasons = {n.rule: n.reason for n in report.results.not_checked}
    assert all("127.0.0.2" in reasons[rule] and "same_site_hosts" in reasons[rule] for rule in behind - {"annual_report.missing"})
