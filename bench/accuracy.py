"""Accuracy table: per rule, on the markup corpus and on the demo, the findings expected,
found and false, and the not_checked count with its commonest reasons.

    python3 -m bench.accuracy            # writes bench/ACCURACY.md

The corpus (tests/fixtures/markup and ../shared/realpages, served on loopback as one site)
is judged against each page's facts (tests/corpus.py): a finding the facts contradict is
false; what the facts say must be reported is expected. The demo is judged against its
seeded defects (govaudit/demo/server.py EXPECTED): any other finding is false. Nothing
leaves the machine: the corpus site runs with resolve_only_mapped and without external
link checks, the demo with its own resolve map.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from govaudit.config import RenderOptions, SiteConfig
from govaudit.crawler.render import unavailable_reason
from govaudit.demo.server import EXPECTED, RENDERED_EXPECTED
from govaudit.inspection import audit_site
from tests.conftest import TODAY
from tests.corpus import contradiction, corpus_config, expected_keys, finding_keys, serve_corpus
from tests.support.server import TestSite

OUT = Path(__file__).resolve().parent / "ACCURACY.md"
ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Row:
    expected: int = 0
    found: int = 0
    false: int = 0
    missed: int = 0
    not_checked: int = 0
    reasons: Counter[str] = field(default_factory=Counter)


def corpus_rows() -> dict[str, Row]:
    rows: dict[str, Row] = {}
    with TestSite("127.0.0.1") as site:
        served = serve_corpus(site)
        site_config = SiteConfig(name="标记语料站点", url=site.url("/"))
        report = asyncio.run(audit_site(corpus_config(), site_config, TODAY))
    expected = expected_keys(served)
    found: dict[str, set[str]] = {}
    for finding in report.results.findings:
        row = rows.setdefault(finding.rule, Row())
        row.found += 1
        if contradiction(finding, served):
            row.false += 1
        found.setdefault(finding.rule, set()).update(finding_keys(finding))
    for rule, keys in expected.items():
        row = rows.setdefault(rule, Row())
        row.expected += len(keys)
        row.missed += len(keys - found.get(rule, set()))
    _count_not_checked(rows, [(n.rule, n.reason) for n in report.results.not_checked])
    return rows


def demo_rows() -> dict[str, Row]:
    with tempfile.TemporaryDirectory() as out:
        subprocess.run([sys.executable, "-m", "govaudit", "demo", "--out", out, "--today", TODAY.isoformat()],
                       cwd=ROOT, check=True, capture_output=True)
        document = json.loads((Path(out) / "report.json").read_text("utf-8"))
    return scored_demo(document)


def demo_slices() -> dict[str, dict[str, Row]]:
    """The demo again, as an office would also meet it: inspected with no configured kind (as
    `govaudit inspect` does), and crawls cut short at 1, 5 and 20 pages. Seeded defects the
    cut crawls do not reach count as missed; what matters is 误报 (every finding of a cut crawl
    must be one the whole crawl makes too)."""
    from govaudit.config import RunOptions
    from govaudit.demo.server import serve_demo
    from govaudit.demo.settings import demo_config
    from govaudit.inspection import inspect_sites

    slices: dict[str, dict[str, Row]] = {}
    with serve_demo(TODAY) as port, tempfile.TemporaryDirectory() as out:
        base = demo_config(port).replace(run=RunOptions(judge="thread"))
        variants = {"演示站点，未配置网站类型（kind = auto，同 govaudit inspect）":
                    base.replace(sites=tuple(dataclasses.replace(s, kind="auto") for s in base.sites))}
        for limit in (1, 5, 20):
            variants[f"演示站点，抓取在 {limit} 页截止（max_pages = {limit}）"] = \
                base.replace(crawl=dataclasses.replace(base.crawl, max_pages=limit))
        for number, (title, config) in enumerate(variants.items()):
            result = inspect_sites(config, list(config.sites), store_path=Path(out) / f"{number}.sqlite", today=TODAY)
            slices[title] = scored_demo(result.document)
    return slices


# What a 专栏 on another host hides: any of these reported on such a site is a false finding.
_BEHIND_THE_COLUMN = ("disclosure.subcolumn_missing", "disclosure.statutory_missing", "disclosure.guide_incomplete",
                      "disclosure.newmedia_list_missing", "disclosure.domain_catalog_missing", "annual_report.missing",
                      "regulations.library_missing", "disclosure.site_annual_report")


def offhost_rows() -> dict[str, Row]:
    """A portal whose 政府信息公开 column lives on another host (a city's platform, here
    127.0.0.2), not in the audit's scope: nothing behind the column can be claimed missing."""
    from tests.conftest import fast_config
    from tests.support.pages import footer, page

    rows: dict[str, Row] = {}
    foot = footer(replace={"identity.sponsor": "主办：测试区人民政府办公室"})
    with TestSite("127.0.0.1") as portal, TestSite("127.0.0.2") as platform:
        platform.page("/gk/", page("政府信息公开", '<a href="/gk/zn.html">政府信息公开指南</a> <a href="/gk/nb/">年度报告</a>', foot=foot))
        portal.page("/", page("测试区人民政府", f'<p>{TODAY:%Y-%m-%d} 通知</p><a href="{platform.url("/gk/")}">政府信息公开</a>'
                              '<a href="/zwfw.html">政务服务</a><a href="/hd.html">互动交流</a>', foot=foot))
        for path, title in (("/zwfw.html", "政务服务"), ("/hd.html", "互动交流")):
            portal.page(path, page(title, "<p>正文。</p>", foot=foot))
        site_config = SiteConfig(name="专栏在站外的门户", url=portal.url("/"), kind="portal")
        report = asyncio.run(audit_site(fast_config(), site_config, TODAY))
    for finding in report.results.findings:
        row = rows.setdefault(finding.rule, Row())
        row.found += 1
        row.false += finding.rule in _BEHIND_THE_COLUMN
    _count_not_checked(rows, [(n.rule, n.reason) for n in report.results.not_checked])
    return rows


def content_rows() -> tuple[dict[str, Row], str]:
    """content.wording on the precision corpus (tests/support/precision.py): every shipped
    wrong form across two common words (never to be reported) and standing as a word (always
    to be); with what matching costs, with and without the segmentation around the hits."""
    import time

    from govaudit.checks.content.dictionary import WordList, shipped_wording
    from tests.support.precision import sentences

    entries = shipped_wording()
    corpus = list(sentences(entries))
    row = Row()
    segmented, plain = WordList(entries, segmented=True), WordList(entries)
    list(segmented.find(corpus[0].text if corpus else ""))     # (the segmenter's dictionary loads once)
    timings = []
    for words in (plain, segmented):
        started = time.perf_counter()
        results = [(s, list(words.find(s.text))) for s in corpus]
        timings.append((time.perf_counter() - started) / max(1, len(corpus)) * 1e6)
    for sentence, hits in results:
        row.expected += sentence.seeded
        row.found += bool(hits)
        row.false += bool(hits) and not sentence.seeded
        row.missed += sentence.seeded and not hits
    cost = (f"{len(corpus)} 句（{sum(not s.seeded for s in corpus)} 句错误写法跨在两个正确词语之间，"
            f"{sum(s.seeded for s in corpus)} 句错误写法独立成词）。每句匹配耗时：只用 Aho-Corasick {timings[0]:.1f} 微秒，"
            f"加上命中处分词 {timings[1]:.1f} 微秒（每句都有命中，是最坏情况；普通页面多数没有命中，不分词）。")
    return {"content.wording": row}, cost


_PEOPLE = [("王小明", "13800138000"), ("李华", "13912345678"), ("陈大伟", "15011112222"), ("赵晓", "15811113333")]
# (page title, table head): directories published on purpose, then lists of people.
_DIRECTORIES = [("2026年业务咨询电话", ("部门", "联系人", "手机")), ("各科室工作安排", ("科室", "负责人", "手机")),
                ("节假日安排", ("日期", "值班领导", "手机")), ("办事指南", ("事项", "咨询人", "手机")),
                ("机关通讯录", ("科室", "姓名", "手机")), ("单位联系方式", ("科室", "姓名", "手机"))]
_PEOPLE_LISTS = [("2026年临时救助对象公示", ("序号", "姓名", "联系电话", "救助金额")),
                 ("城乡低保对象名录", ("序号", "姓名", "手机", "保障人数")),
                 ("拟录用人员名单", ("序号", "姓名", "手机", "岗位")),
                 ("补贴发放情况", ("序号", "姓名", "身份证号", "手机"))]


def directory_rows() -> dict[str, Row]:
    """privacy.mobile on contact directories (never a leak) and lists of people (always one)."""
    from tests.conftest import fast_config
    from tests.support.pages import page

    def table(head: tuple[str, ...]) -> str:
        rows = "".join("<tr>" + "".join(f"<td>{v}</td>" for v in (str(n), name, phone, "—")[:len(head)]) + "</tr>"
                       for n, (name, phone) in enumerate(_PEOPLE, 1))
        return "<table><tr>" + "".join(f"<th>{h}</th>" for h in head) + f"</tr>{rows}</table>"

    pages = {f"/d{n}.html": (title, head, False) for n, (title, head) in enumerate(_DIRECTORIES)}
    pages |= {f"/p{n}.html": (title, head, True) for n, (title, head) in enumerate(_PEOPLE_LISTS)}
    with TestSite("127.0.0.1") as site:
        site.page("/", page("首页", "".join(f'<a href="{path}">{title}</a>' for path, (title, _, _) in pages.items())))
        for path, (title, head, _) in pages.items():
            site.page(path, page(title, table(head)))
        report = asyncio.run(audit_site(fast_config(), SiteConfig(name="名录与名单", url=site.url("/")), TODAY))
        reported = {f.url for f in report.results.findings if f.rule == "privacy.mobile"}
        row = Row()
        for path, (_, _, people) in pages.items():
            hit = site.url(path) in reported
            row.expected += people
            row.found += hit
            row.false += hit and not people
            row.missed += people and not hit
    return {"privacy.mobile": row}


def scored_demo(document: dict[str, Any]) -> dict[str, Row]:
    """Rows of a demo run scored against its seeded defects (a finding not seeded is false)."""
    rows: dict[str, Row] = {}
    seeded = EXPECTED + (RENDERED_EXPECTED if unavailable_reason(RenderOptions()) is None else ())
    found = [(site["name"], f["rule"], json.dumps(f, ensure_ascii=False))
             for site in document["sites"] for f in site["findings"]]
    matched: set[int] = set()
    for site_name, rule, marker in seeded:
        row = rows.setdefault(rule, Row())
        row.expected += 1
        hits = [i for i, f in enumerate(found) if f[0] == site_name and f[1] == rule and marker in f[2]]
        matched.update(hits)
        if not hits:
            row.missed += 1
    for index, (_, rule, _) in enumerate(found):
        row = rows.setdefault(rule, Row())
        row.found += 1
        if index not in matched:
            row.false += 1
    _count_not_checked(rows, [(n["rule"], n["reason"]) for site in document["sites"] for n in site["not_checked"]])
    return rows


def _count_not_checked(rows: dict[str, Row], entries: list[tuple[str, str]]) -> None:
    for rule, reason in entries:
        row = rows.setdefault(rule, Row())
        row.not_checked += 1
        row.reasons[_short(reason)] += 1


def _short(reason: str) -> str:
    """A reason without its URLs and counts, so that like reasons are counted together."""
    words = [w for w in reason.replace("（", " （").split() if "://" not in w]
    text = " ".join(words)
    return (text[:60] + "…") if len(text) > 60 else text


def table(title: str, rows: dict[str, Row]) -> list[str]:
    lines = [f"## {title}", "", "| 规则 | 应报 | 报出 | 误报 | 漏报 | 未检查 | 未检查的主要原因 |", "|---|---|---|---|---|---|---|"]
    totals = Row()
    for rule in sorted(rows):
        row = rows[rule]
        reasons = "；".join(f"{r}（{n}）" for r, n in row.reasons.most_common(2)).replace("|", "｜")
        lines.append(f"| {rule} | {row.expected} | {row.found} | {row.false} | {row.missed} | {row.not_checked} | {reasons} |")
        for name in ("expected", "found", "false", "missed", "not_checked"):
            setattr(totals, name, getattr(totals, name) + getattr(row, name))
    lines.append(f"| **合计** | {totals.expected} | {totals.found} | {totals.false} | {totals.missed} | {totals.not_checked} | |")
    return lines + [""]


def main() -> None:
    corpus, demo = corpus_rows(), demo_rows()
    lines = ["# 准确性统计（bench/ACCURACY.md，由 `python3 -m bench.accuracy` 生成）", "",
             f"生成时间 {datetime.now():%Y-%m-%d %H:%M}，检查基准日 {TODAY}。"
             "“应报”：语料事实（tests/fixtures/markup 与 ../shared/realpages 的 .facts.json）或演示站预置问题要求报出的；"
             "“误报”：与事实相矛盾、或演示站未预置的问题；“漏报”：应报而未报的；"
             "“未检查”：规则无法判断、列入未检查事项的条数。语料只对事实文件覆盖的规则（标识、栏目更新、留言回复）统计应报和误报，"
             "其他规则的报出数仅供参考（如语料页面中指向测试站点上不存在页面的链接会被如实报为死链）。", ""]
    lines += table("标记语料（一个站点：全部语料页面由首页链接）", corpus)
    lines += table("演示站点（govaudit demo）", demo)
    for title, rows in demo_slices().items():
        lines += table(title, rows)
    lines += table("政府信息公开专栏在站外主机上的门户（专栏背后的任何“缺失”都算误报）", offhost_rows())
    content, cost = content_rows()
    lines += table("内容：错误表述的精确性语料（tests/support/precision.py）", content)[:-1] + [cost, ""]
    lines += table("内容：有意公开的联系名录（6 页，不应报）与人员名单（4 页，应报）", directory_rows())
    OUT.write_text("\n".join(lines), encoding="utf-8")
    print(f"written {OUT}")


if __name__ == "__main__":
    main()
