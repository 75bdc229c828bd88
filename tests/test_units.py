"""Small pure pieces: URL handling, decoding, the verdict, the rule registry."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govaudit.checks.base import Finding, Severity
from govaudit.checks.registry import all_rules
from govaudit.checks.verdict import judge_site
from govaudit.config import Scoring
from govaudit.crawler.encoding import canonical_encoding, decode_body
from govaudit.crawler.extract import extract_links, parse_html
from govaudit.crawler.urls import LinkTarget, Scope, normalize, resolve_link

SPEC = Path(__file__).resolve().parents[2] / "shared" / "spec" / "rules.md"


@pytest.mark.parametrize("raw,expected", [
    ("HTTP://WWW.Gxq.GOV.cn:80/a/b.html#frag", "http://www.gxq.gov.cn/a/b.html"),
    ("https://www.gxq.gov.cn:443", "https://www.gxq.gov.cn/"),
    ("http://www.gxq.gov.cn?x=1", "http://www.gxq.gov.cn/?x=1"),
    ("http://政府.中国/路径", "http://xn--mxtq1m.xn--fiqs8s/%E8%B7%AF%E5%BE%84"),
])
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


@pytest.mark.parametrize("href,target", [
    ("javascript:void(0)", LinkTarget.OTHER_SCHEME), ("JavaScript:open()", LinkTarget.OTHER_SCHEME),
    ("mailto:a@b.gov.cn", LinkTarget.OTHER_SCHEME), ("tel:12345", LinkTarget.OTHER_SCHEME),
    ("file:///etc/passwd", LinkTarget.OTHER_SCHEME), ("#top", LinkTarget.SAME_PAGE), ("", LinkTarget.SAME_PAGE),
    ("../b.html", LinkTarget.HTTP), ("//cdn.gxq.gov.cn/x.js", LinkTarget.HTTP), ("http://[::1", LinkTarget.INVALID),
])
def test_resolve_link(href: str, target: LinkTarget) -> None:
    assert resolve_link("http://www.gxq.gov.cn/a/index.html", href).target is target


def test_scope_is_host_and_port() -> None:
    scope = Scope("http://www.gxq.gov.cn/", ("gxq.gov.cn",))
    assert scope.contains("https://www.gxq.gov.cn/x") and scope.contains("http://gxq.gov.cn/")
    assert not scope.contains("http://www.gxq.gov.cn:8080/") and not scope.contains("http://kjj.gxq.gov.cn/")


def test_base_href_and_duplicates_in_extraction() -> None:
    tree = parse_html('<html><head><base href="/sub/"></head><body><a href="a.html">1</a>'
                      '<a href="a.html#x">2</a><img src="p.png"><link rel="stylesheet" href="s.css">'
                      '<link rel="canonical" href="c.html"><script src="j.js"></script></body></html>')
    links, skipped = extract_links(tree, "http://www.gxq.gov.cn/index.html")
    assert [(link.url, link.tag) for link in links] == [
        ("http://www.gxq.gov.cn/sub/a.html", "a"), ("http://www.gxq.gov.cn/sub/p.png", "img"),
        ("http://www.gxq.gov.cn/sub/s.css", "link"), ("http://www.gxq.gov.cn/sub/j.js", "script")]
    assert skipped == ()


def test_parse_never_fails_on_odd_input() -> None:
    for text in ("", "   ", '<?xml version="1.0" encoding="gbk"?><html><body>x</body></html>', "<" * 1000, "\x00\x01"):
        assert parse_html(text) is not None


def test_gb2312_label_reads_gbk_characters() -> None:
    assert canonical_encoding("GB2312") == "gb18030" and canonical_encoding("x-gbk") == "gb18030"
    text, codec, source = decode_body("朱镕基".encode("gbk"), "text/html; charset=gb2312")
    assert text == "朱镕基" and codec == "gb18030" and source == "header"


def test_bom_wins_and_unknown_label_falls_through() -> None:
    assert decode_body("\ufeff政务".encode("utf-8"), "text/html; charset=gbk")[0] == "政务"
    assert decode_body("政务公开".encode(), "text/html; charset=klingon")[2] == "detected"


def _finding(rule: str, severity: Severity, on_homepage: bool = False) -> Finding:
    return Finding(rule=rule, severity=severity, basis="b", title="t", url="u", message="m",
                   evidence={}, on_homepage=on_homepage)


def test_verdict_scoring() -> None:
    scoring = Scoring()
    dead = [_finding("links.dead", Severity.DEDUCT, on_homepage=True)] + [_finding("links.dead", Severity.DEDUCT)] * 3
    verdict = judge_site(dead, homepage_loaded=True, scoring=scoring, rules=all_rules())
    assert verdict.verdict == "合格" and verdict.score == 98.7
    many = [_finding("links.dead", Severity.DEDUCT, on_homepage=True)] * 50
    assert judge_site(many, homepage_loaded=True, scoring=scoring, rules=all_rules()).score == 90.0  # capped at 10
    veto = [_finding("site.unreachable", Severity.VETO)]
    assert judge_site(veto, homepage_loaded=True, scoring=scoring, rules=all_rules()).verdict == "不合格"
    assert judge_site([], homepage_loaded=False, scoring=scoring, rules=all_rules()).verdict == "无法判定"
    notices = [_finding("site.soft404", Severity.NOTICE)] * 5
    assert judge_site(notices, homepage_loaded=True, scoring=scoring, rules=all_rules()).score == 100.0
    strict = Scoring(pass_mark=99.0)
    assert judge_site(dead, homepage_loaded=True, scoring=strict, rules=all_rules()).verdict == "不合格"


# Rules beyond ../shared/spec/rules.md (new ids, listed in the README).
EXTENSIONS = {"site.https", "identity.site_code_mismatch",
              # the rest of the national indicators (issue 20)
              "content.wording", "content.sensitive_names", "content.future_date", "privacy.id_number", "privacy.mobile",
              "privacy.bank_card", "service.entry_missing", "service.guide_incomplete", "newmedia.list_stale",
              "disclosure.site_annual_report", "disclosure.search_missing"}


def test_rule_ids_unique_well_formed_and_in_the_catalogue() -> None:
    rules = all_rules()
    ids = [r.id for r in rules]
    assert len(ids) == len(set(ids))
    assert set(ids) >= EXTENSIONS
    if not SPEC.exists():
        pytest.skip("../shared/spec not present: the catalogue cannot be compared")
    catalogue = set(re.findall(r"^\| ([a-z0-9_]+\.[a-z0-9_]+) \|", SPEC.read_text("utf-8"), re.M))
    assert set(ids) - EXTENSIONS == catalogue  # every catalogued rule exists, and nothing else unannounced
    for rule in rules:
        assert rule.title and rule.basis and rule.explanation and rule.messages
        assert re.search(r"[\u4e00-\u9fff]", rule.title + rule.basis)
        module = importlib.import_module(f"govaudit.checks.{rule.id.split('.')[0]}.{rule.id.split('.')[1]}")
        assert module.RULE is rule  # one rule, one module, named after it


def test_catalogue_severities_match() -> None:
    if not SPEC.exists():
        pytest.skip("../shared/spec not present")
    rows = re.findall(r"^\| ([a-z0-9_]+\.[a-z0-9_]+) \| [^|]+ \| (veto|deduct|notice) \|", SPEC.read_text("utf-8"), re.M)
    declared = dict(rows)
    for rule in all_rules():
        if rule.id in declared:
            assert rule.severity.value == declared[rule.id], rule.id


def test_link_checks_are_planned_against_the_time_left() -> None:
    from govaudit.crawler.engine import _expected_seconds, fit_to_time

    targets = [f"http://a.gov.cn/{n}" for n in range(100)] + [f"http://b.gov.cn/{n}" for n in range(10)]
    spacing = {"a.gov.cn": 0.5, "b.gov.cn": 0.25}.__getitem__
    kept, dropped = fit_to_time(targets, 10.0, lambda host: spacing(host.split(":")[0]))
    assert len([u for u in kept if "a.gov.cn" in u]) == 14 and len([u for u in kept if "b.gov.cn" in u]) == 10
    assert dropped == targets[14:100]            # the first (most valuable) are kept
    assert _expected_seconds(targets, lambda host: spacing(host.split(":")[0])) == 50.0


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.sampled_from(["http://www.gxq.gov.cn/", "http://www.gxq.gov.cn/a/b/index.html", "https://x.gov.cn:8443/col/",
                        "http://127.0.0.1:8080/zwgk/x.html?x=1", "http://www.gxq.gov.cn/a/b/c"]),
       st.text(alphabet="abcXYZ019._~/-=&?+,:@!$()*%; #", min_size=1, max_size=14))
def test_the_fast_join_of_plain_links_is_what_normalize_gives(base: str, href: str) -> None:
    from urllib.parse import urljoin

    from govaudit.crawler.urls import _joined_canonical, normalize_or_none

    absolute = urljoin(base, href)
    fast = _joined_canonical(base, href, absolute)
    assert fast is None or fast == normalize_or_none(absolute)
