"""Yearly reports (plan tasks 39, 50): both formats read clean when correct; each relation
broken once is found with its expected value; sections, lateness, flattened text, PDF, DOCX,
image-only. Reports are built by govaudit/demo/annual.py in the national layouts."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from govaudit.checks.annual_report.model import Cell, from_html, from_text, html_grid, read_report
from govaudit.checks.annual_report.standalone import check_report
from govaudit.checks.annual_report.text_mismatch import row_total
from govaudit.checks.base import Finding
from govaudit.cli import main
from govaudit.crawler.extract import parse_html
from govaudit.demo.annual import CONSISTENT, report_html
from tests.conftest import audit
from tests.support.pages import page
from tests.support.server import TestSite


def findings(html: str) -> list[Finding]:
    _, outcomes = check_report(html.encode("utf-8"), "report.html")
    return [o for o in outcomes if isinstance(o, Finding)]


def rules(html: str) -> list[str]:
    return sorted(f.rule for f in findings(html))


def relations(html: str) -> set[str]:
    return {f.evidence["relation"] for f in findings(html) if f.rule == "annual_report.arithmetic"}


@pytest.mark.parametrize("year", [2025, 2021, 2020, 2019])
def test_correct_reports_of_both_formats_pass_clean(year: int) -> None:
    report = from_html(report_html(year))
    assert report.format == ("2019" if year <= 2020 else "2021")
    assert rules(report_html(year)) == []


def test_blank_for_zero_is_a_format_notice_only() -> None:
    assert rules(report_html(2025, blank_zero=True)) == ["annual_report.blank_cells"]


def test_balance_relation_broken() -> None:
    html = report_html(2025, overrides={("carried_out", 0): 3, ("carried_out", 6): 4})
    assert relations(html) == {"一 + 二 = 三(七)总计 + 四"}
    (first, *_) = [f for f in findings(html) if f.evidence["column"] == "自然人"]
    assert first.evidence["expected"] == 22 and first.evidence["found"] == 23


def test_total_row_sum_broken() -> None:
    html = report_html(2025, overrides={("open", 0): 11, ("open", 6): 14})
    assert relations(html) == {"(七)总计 = (一)至(六)各项之和"}


def test_row_total_column_broken() -> None:
    html = report_html(2025, overrides={("partial", 6): 5})
    found = [f for f in findings(html) if f.evidence["relation"] == "总计列 = 各类申请人之和"]
    assert found and found[0].evidence["row"] == "（二）部分公开" and found[0].evidence["expected"] == 4


def test_table4_group_sum_broken() -> None:
    html = report_html(2025, table4=[1, 0, 0, 0, 1, 2, 1, 0, 0, 4, 1, 0, 0, 0, 1])
    (finding,) = findings(html)
    assert finding.evidence["table"] == "表四" and finding.evidence["row"] == "行政诉讼（未经复议直接起诉）"
    assert finding.evidence["expected"] == 3 and finding.evidence["found"] == 4


def test_missing_section_and_work_points_and_prose() -> None:
    html = report_html(2025, drop_section="五、存在的主要问题及改进情况", work_points=False, prose_new=30)
    assert rules(html) == ["annual_report.sections", "annual_report.text_mismatch", "annual_report.work_points"]
    sections = next(f for f in findings(html) if f.rule == "annual_report.sections")
    assert sections.evidence["missing"] == ["五、存在的主要问题及改进情况"]


def test_2021_report_in_the_2019_layout_is_a_format_finding() -> None:
    html = report_html(2025, fmt="2019")
    assert rules(html) == ["annual_report.tables"]


def test_a_blank_total_is_the_sum_of_its_filled_parts() -> None:
    """#27: 总计 left blank with every applicant column filled: the text still ties to 26."""
    filled = report_html(2025).replace("<td>0</td><td>1</td><td>26</td></tr>", "<td>0</td><td>1</td><td></td></tr>", 1)
    assert "<td></td></tr>" in filled
    assert "annual_report.text_mismatch" not in rules(filled)
    wrong = report_html(2025, prose_new=30).replace("<td>0</td><td>1</td><td>26</td></tr>", "<td>0</td><td>1</td><td></td></tr>", 1)
    (mismatch,) = [f for f in findings(wrong) if f.rule == "annual_report.text_mismatch"]
    assert mismatch.evidence["stated"] == 30 and mismatch.evidence["table"] == 26
    parts = [Cell(20, "20"), Cell(5, "5"), Cell(None, ""), Cell(0, "0"), Cell(0, "0"), Cell(1, "1")]
    assert row_total([*parts, Cell(None, "")]) is None                     # a blank part: unknown, not 0


def _flatten(html: str, drop_blank: bool = False) -> str:
    lines = ["珠海高新区2025年政府信息公开工作年度报告", "一、总体情况", "全年共收到政府信息公开申请26件。对照工作要点落实。",
             "二、主动公开政府信息情况 规章 规范性文件 本年", "三、收到和处理政府信息公开申请情况",
             "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"]
    tree = parse_html(html)
    for table in tree.iter("table"):
        for row in html_grid(table):
            cells = [c for c in row if not (drop_blank and c == "")]
            lines.append(" ".join(dict.fromkeys(cells)) if not any(c.isdigit() for c in cells) else
                         " ".join(c for c in cells if not c.replace(",", "").isdigit() and c) + " " +
                         " ".join(c for c in cells if c.isdigit()))
    return "\n".join(lines)


def test_flattened_text_report_is_read() -> None:
    report = from_text(_flatten(report_html(2025)))
    assert report.table3 is not None and report.table3.source == "text" and not report.table3.ambiguous
    assert len(report.table3.rows) >= 20
    _, outcomes = check_report(_flatten(report_html(2025)).encode("utf-8"), "report.txt")
    assert not [o for o in outcomes if isinstance(o, Finding) and o.rule == "annual_report.arithmetic"]


def test_flattened_text_with_lost_blanks_is_ambiguous_not_guessed() -> None:
    text = _flatten(report_html(2025, blank_zero=True), drop_blank=True)
    _, outcomes = check_report(text.encode("utf-8"), "report.txt")
    assert not [o for o in outcomes if isinstance(o, Finding) and o.rule == "annual_report.arithmetic"]
    assert any(o.rule == "annual_report.arithmetic" and "无法确定" in o.reason for o in outcomes if not isinstance(o, Finding))


def test_image_only_report_is_not_checked() -> None:
    html = "<html><body><img src='/nb2025.jpg' alt=''></body></html>"
    _, outcomes = check_report(html.encode(), "report.html")
    assert outcomes and not [o for o in outcomes if isinstance(o, Finding)]
    assert all("图片" in o.reason for o in outcomes)  # type: ignore[union-attr]


def test_docx_report_is_read() -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("珠海高新区2025年政府信息公开工作年度报告")
    report = from_html(report_html(2025))
    grid = html_grid(next(parse_html(report_html(2025)).iter("table"), None))
    for name in ("一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
                 "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"):
        document.add_paragraph(name)
    tables = [html_grid(t) for t in parse_html(report_html(2025)).iter("table")]
    for grid in tables:
        table = document.add_table(rows=len(grid), cols=max(len(r) for r in grid))
        for r, row in enumerate(grid):
            for c, text in enumerate(row):
                table.cell(r, c).text = text
    buffer = io.BytesIO()
    document.save(buffer)
    parsed = read_report(buffer.getvalue(), "report.docx")
    assert parsed.year == 2025 and parsed.table3 is not None and len(parsed.table3.rows) == len(report.table3.rows)  # type: ignore[union-attr]
    assert not [o for o in check_report(buffer.getvalue(), "report.docx")[1]
                if isinstance(o, Finding) and o.rule == "annual_report.arithmetic"]


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Chromium prints the PDF fixture")
def test_pdf_attachment_report_is_read_and_checked(tmp_path: Path) -> None:
    source = tmp_path / "report.html"
    source.write_text(report_html(2025, table4=[1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1]), encoding="utf-8")
    pdf = tmp_path / "report.pdf"
    subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--no-pdf-header-footer", f"--print-to-pdf={pdf}", source.as_uri()],
                   check=True, capture_output=True, timeout=60)
    found, outcomes = check_report(pdf.read_bytes(), "report.pdf")
    assert found.year == 2025 and found.report is not None and found.report.table3 is not None
    arithmetic = [o for o in outcomes if isinstance(o, Finding) and o.rule == "annual_report.arithmetic"]
    assert [(f.evidence["table"], f.evidence["row"]) for f in arithmetic] == [("表四", "行政复议")]


def test_site_report_late_missing_and_carryover(site: TestSite) -> None:
    due = report_html(2025, numbers={**CONSISTENT,
                                     "carried_in": [3, 0, 0, 0, 0, 0], "carried_out": [3, 1, 0, 0, 0, 0]})
    previous = report_html(2024)  # 结转下年度 3 in total; this year's 上年结转 says 3 -> consistent
    site.page("/", page("首页", '<a href="/nb/index.html">政府信息公开年报</a>'))
    site.page("/nb/index.html", page("年报", "<ul class='list'><li><a href='/nb/2025.html'>2025年政府信息公开工作年度报告</a>"
                                          "<span>2026-04-10</span></li><li><a href='/nb/2024.html'>2024年政府信息公开工作年度报告"
                                          "</a><span>2025-01-20</span></li></ul>"))
    site.page("/nb/2025.html", due.replace("{published}", "2026-04-10"))
    site.page("/nb/2024.html", previous.replace("{published}", "2025-01-20"))
    report = audit(site.url("/"))
    annual = sorted(f.rule for f in report.results.findings if f.rule.startswith("annual_report."))
    assert annual == ["annual_report.missing"]  # published 04-10, after the 03-31 deadline of a portal
    late = next(f for f in report.results.findings if f.rule == "annual_report.missing")
    assert late.evidence["published"] == "2026-04-10" and late.evidence["deadline"] == "2026-03-31"
    view = report.views["annual_report"]
    assert view["on_time"] is False and view["table3"]["rows"][0]["cells"][6]["raw"] == "26"
    site.page("/nb/2024.html", report_html(2024, numbers={**CONSISTENT,
                                                           "open": [9, 2, 0, 0, 0, 1], "carried_out": [3, 1, 0, 0, 0, 0]})
              .replace("{published}", "2025-01-20"))
    report = audit(site.url("/"))
    (carry,) = [f for f in report.results.findings if f.rule == "annual_report.carryover"]
    assert carry.evidence["carried_in"] == 3 and carry.evidence["previous_carried_out"] == 4


def test_no_report_before_and_after_the_deadline(site: TestSite) -> None:
    site.page("/", page("首页", '<a href="/nb/index.html">政府信息公开年报</a>'))
    site.page("/nb/index.html", page("年报", "<p>暂无</p>"))
    report = audit(site.url("/"), kind="department")
    (missing,) = [f for f in report.results.findings if f.rule == "annual_report.missing"]
    assert missing.evidence["deadline"] == "2026-01-31"


@pytest.mark.parametrize("title", ["政府信息公开工作年度报告（2025年）", "高新区2025年度信息公开工作报告",
                                   "珠海高新区2025年政务公开年报"])
def test_a_report_titled_another_way_is_found(site: TestSite, title: str) -> None:
    """#27: a title with the year last, 工作报告 or 年报 was taken for no report at all."""
    site.page("/", page("首页", '<a href="/nb/index.html">政府信息公开年报</a>'))
    site.page("/nb/index.html", page("年报", f"<ul class='list'><li><a href='/nb/2025.html'>{title}</a>"
                                          "<span>2026-01-20</span></li></ul>"))
    site.page("/nb/2025.html", report_html(2025).replace("{published}", "2026-01-20"))
    report = audit(site.url("/"))
    assert "annual_report.missing" not in {f.rule for f in report.results.findings}
    assert report.views["annual_report"]["found"] is True


def test_a_notice_about_reports_is_not_the_report(site: TestSite) -> None:
    site.page("/", page("首页", '<a href="/nb/index.html">政府信息公开年报</a>'))
    site.page("/nb/index.html", page("年报", "<ul class='list'><li><a href='/nb/t.html'>关于做好2025年政府信息公开工作年度报告"
                                          "编制和发布工作的通知</a><span>2026-01-05</span></li></ul>"))
    site.page("/nb/t.html", page("通知", "<p>各单位：请按时编制并发布年度报告。</p>"))
    report = audit(site.url("/"))
    assert report.views["annual_report"]["found"] is False
    assert "annual_report.missing" in {f.rule for f in report.results.findings}


def test_cli_json_output(tmp_path: Path) -> None:
    path = tmp_path / "draft.html"
    path.write_text(report_html(2025, overrides={("partial", 6): 5}).replace("{published}", ""), encoding="utf-8")
    result = CliRunner().invoke(main, ["annual-report", str(path), "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["report"]["year"] == 2025
    assert {f["rule"] for f in document["findings"]} == {"annual_report.arithmetic"}
    assert all({"rule", "severity", "task", "basis", "url", "message", "evidence"} <= set(f) for f in document["findings"])
    plain = CliRunner().invoke(main, ["annual-report", str(path), "--year", "2025"])
    assert plain.exit_code == 0 and "annual_report.arithmetic" in plain.output and "expected: 4" in plain.output
