"""No exception escapes the parsers on arbitrary input: HTML to snapshot (decode, parse,
links), dates, the yearly report reader, and every rule on a page of random markup."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govaudit.checks.annual_report.model import read_report
from govaudit.checks.annual_report.relations import mismatches
from govaudit.checks.base import RuleContext
from govaudit.checks.facts import analyse_page
from govaudit.checks.runner import run_rules
from govaudit.checks.sitemodel.dates import article_date, first_date, full_dates
from govaudit.config import Config
from govaudit.crawler.encoding import decode_body
from govaudit.crawler.extract import extract_links, page_title, parse_html
from govaudit.crawler.snapshot import CapturedPage, FetchOutcome, MemoryPages, PageRecord, SiteSnapshot

FUZZ = settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
MARKUP = st.lists(st.sampled_from(["<", ">", "/", "a", " href=", "'", '"', "#", "javascript:", "http://", "<table>",
                                   "<tr>", "<td rowspan=9999>", "<meta charset=", "gbk", "2025-13-45", "12-31", "年",
                                   "月", "日", "发布日期：", "总计", "本年新收", "\x00", "\ufffd", "ICP备", "标识码",
                                   "<script>", "<base href=", "&#0;", "<!--", "]]>", "<?xml", "政府信息公开"]),
                  max_size=60).map("".join)


@FUZZ
@given(st.binary(max_size=4000), st.sampled_from([None, "text/html", "text/html; charset=gbk",
                                                   "text/html; charset=utf-16", "text/html; charset=nonsense"]))
def test_bytes_to_links_never_raise(body: bytes, content_type: str | None) -> None:
    text, _, _ = decode_body(body, content_type)
    tree = parse_html(text)
    page_title(tree)
    extract_links(tree, "http://www.gxq.gov.cn/a/index.html")


@FUZZ
@given(st.one_of(st.text(max_size=500), MARKUP))
def test_dates_never_raise(text: str) -> None:
    full_dates(text)
    first_date(text, today=date(2026, 11, 26))
    first_date(text, today=date(2026, 11, 26), year_hint=2025)
    article_date(parse_html(text), "http://a/t20251301_1.html", text)


@FUZZ
@given(st.one_of(st.binary(max_size=3000), MARKUP.map(str.encode)),
       st.sampled_from(["r.html", "r.txt", "r.pdf", "r.docx", "r.xlsx", "r"]))
def test_annual_report_reader_never_raises(data: bytes, name: str) -> None:
    report = read_report(data, name)
    mismatches(report)


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(MARKUP)
def test_every_rule_on_random_markup_decides_or_says_why(html: str) -> None:
    outcome = FetchOutcome(url="http://a/", final_url="http://a/", status=200, error=None, attempts=())
    record = PageRecord(fetch=outcome, depth=0, found_on=None, found_via=None, is_html=True)
    pages = MemoryPages()
    pages.add(CapturedPage(replace(record, facts=analyse_page(record, html, date(2026, 11, 26))), html))
    snapshot = SiteSnapshot(name="fuzz", start_url="http://a/", unit="", kind="portal", scope_hosts=("a",),
                            started_at="", homepage=outcome, pages=pages.pages, bodies=pages)
    results = run_rules(snapshot, RuleContext(date(2026, 11, 26), Config().rules))
    assert not [n for n in results.not_checked if "内部错误" in n.reason]
