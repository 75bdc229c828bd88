"""The markup corpus: pages reproducing the list, article, footer and message layouts of the
major CMS vendors (tests/fixtures/markup/) and the real pages of ../shared/realpages/, each
with a sidecar `<page>.facts.json` of what a careful reader sees on it.

Facts (the same keys in both folders): kind, url, charset, identity {site_code, icp, police,
sponsor, conac: the value shown, true, null (absent), "script" or "iframe" (shown by a script
or a frame: not on the page itself)}, list_items [{title, date}], list_dates (found / absent /
unknown), article_date, messages [{title, asked, status}].
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from govaudit.checks.base import Finding
from govaudit.checks.columns.common import limit_for
from govaudit.checks.facts import analyse_page
from govaudit.checks.pageread import PageRead, read_document
from govaudit.checks.sitemodel.columns import column_class
from govaudit.config import Config, Freshness
from govaudit.crawler.encoding import decode_body
from govaudit.crawler.extract import extract_links, parse_html
from govaudit.crawler.snapshot import FetchOutcome, PageRecord
from tests.conftest import TODAY, fast_config
from tests.support.pages import footer, page
from tests.support.server import Reply, TestSite

MARKUP = Path(__file__).resolve().parent / "fixtures" / "markup"
REALPAGES = Path(__file__).resolve().parents[2] / "shared" / "realpages"
DEFAULT_URL = "http://127.0.0.1:8000/page/index.html"


@dataclass(frozen=True)
class Case:
    path: Path
    facts: dict[str, Any]

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def real(self) -> bool:
        return self.path.parent == REALPAGES

    def body(self) -> bytes:
        return self.path.read_bytes()

    def text(self) -> str:
        charset = self.facts.get("charset")
        return decode_body(self.body(), f"text/html; charset={charset}" if charset else "text/html")[0]


def cases() -> list[Case]:
    found = []
    for folder in (MARKUP, REALPAGES):
        if folder.is_dir():
            for facts in sorted(folder.glob("*.html.facts.json")):
                found.append(Case(facts.with_name(facts.name.removesuffix(".facts.json")),
                                  json.loads(facts.read_text("utf-8"))))
    return found


def record_of(case: Case, url: str | None = None, *, depth: int = 1) -> PageRecord:
    """The case's record as the crawler makes it after fetching it from `url`."""
    url = url or case.facts.get("url") or DEFAULT_URL
    if url.startswith("/"):
        url = "http://127.0.0.1:8000" + url
    links, skipped = extract_links(parse_html(case.text()), url)
    return PageRecord(fetch=FetchOutcome(url=url, final_url=url, status=200, error=None, attempts=()),
                      depth=depth, found_on=None if depth == 0 else "http://127.0.0.1:8000/",
                      found_via=None if depth == 0 else "a", links=links, skipped_links=skipped, is_html=True)


def page_of(case: Case, url: str | None = None, *, depth: int = 1) -> PageRead:
    """The case as the analysers read it."""
    page = read_document(record_of(case, url, depth=depth), case.text())
    assert page.tree is not None
    return page


def analysed_of(case: Case, url: str | None = None, *, depth: int = 1) -> PageRecord:
    """The case's record with the facts the analysers stored for it."""
    record = record_of(case, url, depth=depth)
    return replace(record, facts=analyse_page(record, case.text(), TODAY))


# Where a real page must sit for its relative links to reach its partner page.
PLACED = {"ahxx_gov_cn_message_list_sjxx_2026.html": "/hdjl/sjxx/index.html",
          "ahxx_gov_cn_message_detail_2025.html": "/content/article/163301251"}
MARK_RULES = {"identity.site_code": "site_code", "identity.icp": "icp", "identity.police": "police",
              "identity.sponsor": "sponsor", "identity.conac": "conac"}


def _path_for(case: Case, taken: set[str]) -> str:
    path = PLACED.get(case.name) or str(case.facts.get("url") or "")
    if not path.startswith("/") or "?" in path or path == "/" or path in taken:
        path = f"/corpus/{case.name}"
    taken.add(path)
    return path


def _link_text(case: Case) -> str:
    title = re.search(r"<title>([^<]*)</title>", case.text(), re.I)
    name = re.split(r"[-_|—]", title.group(1) if title else case.name)[0].strip()
    return name or case.name


def serve_corpus(site: TestSite) -> dict[str, Case]:
    """Serve every corpus page (and a homepage linking them all) on `site`: URL -> case."""
    served: dict[str, Case] = {}
    taken: set[str] = set()
    for case in cases():
        path = _path_for(case, taken)
        charset = case.facts.get("charset")
        site.route(path, Reply(200, case.body(), content_type="text/html" + (f"; charset={charset}" if charset else "")))
        served[site.url(path)] = case
    site.page("/foot.html", f"<html><body>{footer()}</body></html>")   # the frame of footer_in_iframe
    nav = "".join(f'<li><a href="{url}">{_link_text(case)}</a></li>' for url, case in served.items())
    site.page("/", page("珠海高新区门户网站", f'<ul class="list-nav">{nav}</ul>'))
    return served


def corpus_config() -> Config:
    """The tests' loopback configuration, with room for the whole corpus."""
    config = fast_config()
    return config.replace(crawl=dataclasses.replace(config.crawl, max_pages=150, max_depth=2, max_links_checked=100))


def contradiction(finding: Finding, served: dict[str, Case]) -> str | None:
    """What in the corpus facts contradicts `finding`, if anything."""
    evidence = finding.evidence
    if finding.rule in MARK_RULES:
        for url in evidence.get("pages", []):
            case = served.get(url)
            shown = case.facts["identity"].get(MARK_RULES[finding.rule]) if case and case.facts.get("identity") else None
            if shown:
                return f"{case.name} shows {shown!r}"  # type: ignore[union-attr]
    if finding.rule == "columns.stale":
        case = served.get(evidence.get("column_url", ""))
        if case is None:
            return None
        outcome = case.facts.get("list_dates") or "found"
        dated = [date.fromisoformat(i["date"]) for i in case.facts.get("list_items", []) if i.get("date")]
        undated = evidence.get("newest_date") is None and "latest_possible_date" not in evidence
        if undated and (dated or outcome == "unknown"):
            return f"{case.name}: called undated, its rows show dates"
        limit = limit_for(column_class(evidence.get("column", "")), Freshness())
        if dated and limit is not None and (TODAY - max(dated)).days <= limit:
            return f"{case.name}: newest item {max(dated)} is within {limit} days"
        if outcome == "unknown":
            return f"{case.name}: its dates are unknown"
    if finding.rule == "homepage.stale":
        return "the corpus holds lists dated within 14 days"
    if finding.rule == "interaction.unanswered":
        for case in served.values():
            for message in case.facts.get("messages", []):
                if message["title"] == evidence.get("title") and message["status"] == "answered":
                    return f"{case.name}: {message['title']} was answered"
    return None


def finding_keys(finding: Finding) -> list[str]:
    """What a finding is about, in the terms of the facts: pages, a column, a message."""
    evidence = finding.evidence
    if finding.rule in MARK_RULES:
        return [str(url) for url in evidence.get("pages", [])]
    if finding.rule == "columns.stale":
        return [str(evidence.get("column_url"))]
    if finding.rule == "interaction.unanswered":
        return [str(evidence.get("title"))]
    return [finding.url]


def expected_keys(served: dict[str, Case]) -> dict[str, set[str]]:
    """rule -> what the facts say it must report: identity marks a page lacks, lists whose
    newest item is older than their class limit, messages unanswered for over 3 months."""
    expected: dict[str, set[str]] = {}
    for url, case in served.items():
        for rule, key in MARK_RULES.items():
            identity = case.facts.get("identity")
            if identity and identity.get(key) in (None, False) and case.facts["kind"] != "message_detail":
                expected.setdefault(rule, set()).add(url)
        dated = [date.fromisoformat(i["date"]) for i in case.facts.get("list_items", []) if i.get("date")]
        limit = limit_for(column_class(_link_text(case)), Freshness())
        if dated and limit is not None and (TODAY - max(dated)).days > limit:
            expected.setdefault("columns.stale", set()).add(url)
        for message in case.facts.get("messages", []):
            asked = date.fromisoformat(message["asked"])
            if message["status"] == "unanswered" and 90 < (TODAY - asked).days <= 365:
                expected.setdefault("interaction.unanswered", set()).add(message["title"])
    return expected
