"""内容安全 rules: known-wrong wordings and the office's names (content.wording,
content.sensitive_names) and dates in the future (content.future_date), on real local sites
(GBK among them) and on the matcher alone."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from govaudit.checks.content.dictionary import Entry, ListError, WordList, load_entries, shipped_wording
from govaudit.config import load_config
from tests.conftest import audit, fast_config
from tests.support.pages import page
from tests.support.server import TestSite

TODAY = date(2026, 11, 26)


def _words(*entries: Entry) -> WordList:
    return WordList(entries)


def test_the_matcher_finds_wrong_forms_and_keeps_its_guards() -> None:
    words = _words(Entry("股分", "股份", exceptions=("按股分红",)), Entry("中华人民共合国", "中华人民共和国", severe=True))
    text = "公司股分转让办法。村集体经济按股分红。本文中“中华人民共合国”应为“中华人民共和国”，特此更正。"
    found = [(h.entry.wrong, h.sentence) for h in words.find(text)]
    assert found == [("股分", "公司股分转让办法。")]


def test_a_wrong_form_across_two_correct_words_is_no_finding() -> None:
    """#33: "企业统计画像" and "设计画册" were reported as 计画 for 计划, "记录象征" as 录象."""
    words = WordList((Entry("计画", "计划"), Entry("录象", "录像"), Entry("张三市长", "张三副市长")), segmented=True)
    quiet = "我区开展企业统计画像工作，并设计画册。会议记录象征着新起点。"
    assert list(words.find(quiet)) == []
    loud = "本年度工作计画已经公布。现场录象资料已归档。张三市长调研了企业。"
    assert [h.entry.wrong for h in words.find(loud)] == ["计画", "录象", "张三市长"]


def test_context_words_an_entry_needs_or_forbids() -> None:
    words = WordList((Entry("书记", "副书记", context=("张三",)), Entry("王五", "王伍", not_context=("同名",))), segmented=True)
    assert [h.entry.wrong for h in words.find("张三书记主持会议。李四书记讲话。王五发言。另一同名的王五。")] == ["书记", "王五"]
    entries = load_entries('[[entries]]\nwrong = "甲乙"\nright = "甲丙"\nsource = "x"\ncontext = ["丁"]\n'
                           'not_context = ["戊"]\n', "local.toml")
    assert entries[0].context == ("丁",) and entries[0].not_context == ("戊",)
    with pytest.raises(ListError, match="context"):
        load_entries('[[entries]]\nwrong = "甲乙"\nright = "甲丙"\nsource = "x"\ncontext = "丁"\n', "local.toml")


def test_every_shipped_entry_has_a_source_and_a_list() -> None:
    entries = shipped_wording()
    assert entries and all(e.source and e.right and e.wrong != e.right for e in entries)
    assert any(e.severe for e in entries) and any(not e.severe for e in entries)


def test_a_bad_office_list_is_refused_naming_file_and_entry(tmp_path: Path) -> None:
    with pytest.raises(ListError, match="第 1 个.*来源"):
        load_entries('[[entries]]\nwrong = "甲乙"\nright = "甲丙"\n', "local.toml")
    config = tmp_path / "config.toml"
    (tmp_path / "local.toml").write_text('[[entries]]\nwrong = "x"\n', encoding="utf-8")
    config.write_text('[content]\nwording_file = "local.toml"\n', encoding="utf-8")
    with pytest.raises(Exception, match="content.wording_file"):
        load_config(config)


def test_wording_on_a_gbk_site_with_the_office_list_and_configured_severity(site: TestSite, tmp_path: Path) -> None:
    (tmp_path / "local.toml").write_text(
        '[[entries]]\nwrong = "张三市长"\nright = "张三副市长"\nlist = "严重"\ncategory = "领导人姓名职务"\n'
        'source = "市政府网站领导之窗（2026-11）"\n', encoding="utf-8")
    (tmp_path / "names.toml").write_text('[[names]]\nname = "李四"\nnote = "（已于2026年免职）"\n', encoding="utf-8")
    config_file = tmp_path / "config.toml"
    config_file.write_text('[content]\nwording_file = "local.toml"\nsensitive_names_file = "names.toml"\n'
                           'wording_other = "deduct"\n', encoding="utf-8")
    office = load_config(config_file)
    config = fast_config(content=office.content, source=str(config_file))
    site.page("/", page("首页", '<a href="/a.html">要闻</a><p>张三市长调研。领导：李四。</p>'))
    site.page("/a.html", page("要闻", "<p>本次活动十分精采。中华人民共合国成立。按股分红方案公布。</p>", charset="gbk"),
              encoding="gbk", charset="gbk")
    report = audit(site.url("/"), config)
    found = {(f.rule, f.evidence.get("wrong") or f.evidence.get("name")): f for f in report.results.findings
             if f.rule.startswith("content.")}
    assert set(found) == {("content.wording", "张三市长"), ("content.wording", "精采"), ("content.wording", "中华人民共合国"),
                          ("content.sensitive_names", "李四")}
    assert found[("content.wording", "中华人民共合国")].severity.value == "veto"
    assert found[("content.wording", "精采")].severity.value == "deduct"
    assert found[("content.wording", "张三市长")].evidence["source"] == "市政府网站领导之窗（2026-11）"
    assert found[("content.wording", "精采")].evidence["sentences"] == ["本次活动十分精采。"]
    assert "content.wording" in report.verdict.vetoed_by


def test_sensitive_names_without_a_list_are_not_checked(site: TestSite) -> None:
    site.page("/", page("首页", "<p>李四</p>"))
    report = audit(site.url("/"))
    assert any(n.rule == "content.sensitive_names" and "未配置" in n.reason for n in report.results.not_checked)
    assert not [f for f in report.results.findings if f.rule.startswith("content.")]


def _article(path: str, title: str, stated: str, listed: str) -> tuple[str, str]:
    listing = f'<ul><li><a href="{path}">{title}</a><span>{listed}</span></li></ul>'
    body = f'<h1>{title}</h1><div class="info">发布时间：{stated}</div><p>{"正文内容。" * 40}</p>'
    return listing, body


def test_future_dates_stated_by_the_article_itself(site: TestSite) -> None:
    site.page("/", page("首页", '<a href="/xw/index.html">新闻动态</a>'))
    rows = ""
    for number, (title, stated, listed) in enumerate((("未来的通知", "2027-03-01", "2026-11-20"),
                                                      ("明天的新闻", "2026-11-27", "2026-11-27"),
                                                      ("正常的新闻", "2026-11-20", "2026-11-20"))):
        listing, body = _article(f"/xw/t{number}.html", title, stated, listed)
        rows += listing
        site.page(f"/xw/t{number}.html", page(title, body))
    site.page("/xw/index.html", page("新闻动态", rows + '<ul><li><a href="/xw/hy.html">会议预告</a><span>2027-01-05</span></li></ul>'))
    site.page("/xw/hy.html", page("会议预告", "<p>" + "定于明年一月召开会议。" * 20 + "</p>"))
    report = audit(site.url("/"))
    future = [f for f in report.results.findings if f.rule == "content.future_date"]
    assert [(f.evidence["title"], f.evidence["date"]) for f in future] == [("未来的通知", "2027-03-01")]
    assert future[0].evidence["days_ahead"] == 95 and future[0].severity.value == "veto"


def test_a_short_notice_dated_in_the_future_is_read_as_an_article(site: TestSite) -> None:
    """#27: a notice of a title, a 发布日期 label and two sentences was not taken for an
    article, so its date was never read; a list page with a dated header stays a list."""
    site.page("/", page("首页", '<a href="/tz/index.html">通知公告</a>'))
    site.page("/tz/index.html", page("通知公告", '<h2>通知公告</h2><div>发布日期：2026-11-20</div><ul>'
                                              '<li><a href="/tz/1.html">关于停水的通知</a><span>2026-11-20</span></li></ul>'))
    site.page("/tz/1.html", page("关于停水的通知_测试区", "<h1>关于停水的通知</h1><div>发布日期：2027-02-01</div>"
                                                     "<p>因管网检修，本周六全区停水一天。请居民提前做好储水准备。</p>"))
    report = audit(site.url("/"))
    future = [f for f in report.results.findings if f.rule == "content.future_date"]
    assert [f.evidence["title"] for f in future] == ["关于停水的通知"]


def test_ordinary_news_with_wrong_forms_across_words_has_no_wording_finding(site: TestSite) -> None:
    site.page("/", page("首页", '<a href="/a.html">要闻</a><p>2026年11月20日 通知</p>'))
    site.page("/a.html", page("要闻", "<p>高新区上线企业统计画像平台，并设计画册宣传。会议记录象征着改革的新起点。</p>"
                                     "<p>本年度工作计画已经公布。</p>"))
    report = audit(site.url("/"))
    (finding,) = [f for f in report.results.findings if f.rule == "content.wording"]
    assert finding.evidence["wrong"] == "计画" and finding.evidence["count"] == 1


def test_the_precision_corpus_has_no_false_wording_and_every_seeded_misspelling() -> None:
    """#33: 2,000+ sentences in which every shipped wrong form's characters stand across two
    common words (none may be reported), and the wrong forms standing as words (all must be)."""
    from govaudit.checks.content.dictionary import word_list
    from tests.support.precision import sentences

    entries = shipped_wording()
    corpus = list(sentences(entries))
    crossing = [s for s in corpus if not s.seeded]
    assert len(crossing) >= 2000 and {s.wrong for s in crossing} >= {"计画", "录象", "股分", "精采", "记念"}
    words = word_list(entries, segmented=True)
    assert [s.text for s in crossing if list(words.find(s.text))] == []
    assert [s.text for s in corpus if s.seeded and not list(words.find(s.text))] == []
