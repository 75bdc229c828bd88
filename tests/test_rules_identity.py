"""The six identity.* rules: every mark present, each one missing, malformed shapes."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from tests.conftest import audit, fast_config, rules_found
from tests.support.pages import FOOTER_PARTS, footer, page
from tests.support.server import TestSite

IDENTITY_RULES = sorted(FOOTER_PARTS)


def _identity(report) -> list[str]:  # type: ignore[no-untyped-def]
    return [r for r in rules_found(report) if r.startswith("identity.")]


def test_footer_with_every_mark_passes(site: TestSite) -> None:
    site.page("/", page("首页", '<a href="/a.html">a</a>'))
    site.page("/a.html", page("文章"))
    report = audit(site.url("/"))
    assert _identity(report) == []
    assert not [n for n in report.results.not_checked if n.rule.startswith("identity.")]


@pytest.mark.parametrize("rule", IDENTITY_RULES)
def test_footer_missing_one_mark_is_exactly_that_finding(site: TestSite, rule: str) -> None:
    site.page("/", page("首页", '<a href="/a.html">a</a>'))
    site.page("/a.html", page("文章", foot=footer(without=rule)))
    report = audit(site.url("/"))
    assert _identity(report) == [rule]
    (finding,) = [f for f in report.results.findings if f.rule == rule]
    assert finding.evidence["pages"] == [site.url("/a.html")]
    assert finding.evidence["pages_checked"] == 2 and finding.evidence["on_homepage"] is False


@pytest.mark.parametrize("rule,bad", [
    ("identity.site_code", "网站标识码：44049000001"),
    ("identity.icp", "ICP备12345678号"),
    ("identity.police", "粤公网安备 4404990200001号"),
])
def test_malformed_marks_are_reported_with_what_was_seen(site: TestSite, rule: str, bad: str) -> None:
    site.page("/", page("首页", foot=footer(replace={rule: bad})))
    report = audit(site.url("/"))
    assert _identity(report) == [rule]
    (finding,) = [f for f in report.results.findings if f.rule == rule]
    assert "malformed" not in finding.message and "格式不正确" in finding.message
    assert finding.evidence["seen"] and finding.evidence["on_homepage"] is True


@pytest.mark.parametrize("rule,variant", [
    ("identity.site_code", "网站标识码：bm29000002"),
    ("identity.icp", "粤ICP备１２３４５６７８号-2"),
    ("identity.icp", "京ICP备 05070602号"),
    ("identity.police", "粤公网安备\n   44049902000001号"),
    ("identity.sponsor", "<span>主办单位：</span><span>唐家湾镇人民政府</span>"),
    ("identity.contact", "<a href='/lxwm.html'>联系我们</a>"),
    ("identity.conac", '<script id="_ideConac" src="/js/conac.js"></script>'),
])
def test_valid_variants_are_not_flagged(site: TestSite, rule: str, variant: str) -> None:
    site.page("/", page("首页", foot=footer(replace={rule: variant})))
    assert _identity(audit(site.url("/"))) == []


def test_iframe_fragment_without_footer_is_not_flagged(site: TestSite) -> None:
    site.page("/", page("首页", '<iframe src="/widget.html"></iframe>'))
    site.page("/widget.html", "<html><body>天气 晴</body></html>")
    report = audit(site.url("/"))
    assert site.url("/widget.html") in report.snapshot.pages
    assert _identity(report) == []


def test_footer_written_by_script_is_not_judged(site: TestSite) -> None:
    shell = ('<html><head><title>首页</title></head><body><div class="main">正文</div>'
             '<div id="footer"></div><script src="/js/footer.js"></script></body></html>')
    site.page("/", shell)
    report = audit(site.url("/"))
    assert _identity(report) == []
    unsure = [n for n in report.results.not_checked if n.rule.startswith("identity.")]
    assert unsure and all("脚本" in n.reason for n in unsure)


def test_article_mentioning_icp_is_not_called_malformed(site: TestSite) -> None:
    body = "<p>关于开展ICP备案信息核查工作的通知：各单位请于月底前完成自查。</p>" * 3
    site.page("/", page("通知", body))
    assert _identity(audit(site.url("/"))) == []


def test_real_portal_homepage_passes_every_identity_rule(site: TestSite) -> None:
    real = Path(__file__).resolve().parents[2] / "shared" / "realpages" / "yichun_gov_cn_portal_homepage_saved_2023-10-11.html"
    if not real.exists():
        pytest.skip("../shared/realpages not present")
    site.page("/", real.read_text(encoding="utf-8"))
    config = fast_config()
    report = audit(site.url("/"), config.replace(crawl=dataclasses.replace(config.crawl, max_pages=1,
                                                                           max_links_checked=20)))
    assert _identity(report) == []
    assert report.snapshot.homepage_page is not None
    assert report.snapshot.homepage_page.title == "中国宜春"


@pytest.mark.parametrize(("rule", "shown"), [
    ("identity.icp", "<span>粤ICP备</span><span>05012345号</span>"),                     # split across elements
    ("identity.icp", '<img src="/images/red.png" alt="粤ICP备05012345号">'),            # only in an image's alt
    ("identity.icp", "ICP备案号：粤ICP备05012345号-2"),                                   # labelled, with a suffix
    ("identity.police", "<span>粤公网安备</span> <span>44049902000001</span>号"),
    ("identity.police", '<img src="/images/red.png" alt="粤公网安备 44049902000001号">'),
    ("identity.contact", "地址：珠海市香洲区人民东路1号"),
    ("identity.contact", "邮箱：zwgk@zhuhai.gov.cn"),
    ("identity.sponsor", "<span>珠海市水利局</span> 主办"),
])
def test_marks_in_other_common_phrasings_are_no_finding(site: TestSite, rule: str, shown: str) -> None:
    """#27: each identity mark as footers also write it (fixtures for every phrasing)."""
    site.page("/", page("首页", "<p>2026年11月20日 通知</p>", foot=footer(replace={rule: shown})))
    assert rule not in {f.rule for f in audit(site.url("/"), kind="portal").results.findings}
