"""annual_report.tables: a required table missing, or not in the format of that year."""

from __future__ import annotations

from collections.abc import Iterator

from govaudit.checks.annual_report.common import BASIS, FoundReport, judge_due_report
from govaudit.checks.annual_report.model import FORMAT_2021, squeeze
from govaudit.checks.base import Outcome, Rule, RuleContext, Severity
from govaudit.checks.options import Deduction
from govaudit.crawler.snapshot import SiteSnapshot


def check(snapshot: SiteSnapshot, context: RuleContext) -> Iterator[Outcome]:
    return judge_due_report(RULE, snapshot, context, judge)


# Row labels only the table itself carries: seen in the text, the table is there.
_TABLE_WORDS = {"表二（主动公开情况）": ("本年制发件数", "现行有效件数", "本年新制作数量"),
                "表三（申请处理情况）": ("本年新收政府信息公开申请数量", "上年结转政府信息公开申请数量"),
                "表四（行政复议、行政诉讼）": ("结果维持", "结果纠正", "尚未审结")}


def judge(found: FoundReport) -> Iterator[Outcome]:
    """The rule on one readable report (also used by `govaudit annual-report`)."""
    assert found.report is not None
    report = found.report
    missing = [name for name, table in (("表二（主动公开情况）", report.table2), ("表三（申请处理情况）", report.table3),
                                        ("表四（行政复议、行政诉讼）", report.table4)) if table is None or
               (table.name != "表二" and not table.rows and not table.ambiguous)]
    text = squeeze(report.text)
    for name in missing:
        shown = [word for word in _TABLE_WORDS[name] if word in text]
        if shown:   # the table's own rows are in the text: there, but not in a form that could be read
            yield RULE.not_checked(f"{found.title}：{name}的内容（{shown[0]}…）在报告中，但表格无法按行列读取", found.url)
        else:
            yield RULE.finding(found.url, {"title": found.title, "table": name}, variant="missing")
    table3 = report.table3
    if table3 is not None and table3.rows and report.format == FORMAT_2021 and "other" in table3.rows:
        yield RULE.finding(found.url, {"title": found.title, "table": "表三", "year": report.year,
                                       "seen": "（六）其他处理只有一行（2019年格式）",
                                       "expected": "2021年格式：（六）其他处理分三项"}, variant="format")


RULE = Rule(
    id="annual_report.tables",
    title="年度报告表格缺失或格式不符",
    severity=Severity.DEDUCT,
    basis=BASIS,
    explanation="应有主动公开情况表、收到和处理申请情况表、行政复议和行政诉讼情况表；2021 年及以后的报告应使用 2021 年格式"
                "（不予处理、其他处理等分项细化）。",
    messages={"missing": "{title}没有{table}", "format": "{title}的{table}不是 {year} 年度应使用的格式：{seen}"},
    check=check,
    advice="按国办公开办函〔2021〕30号规定的格式编制表格。",
    points=Deduction(points=1.0, cap=4.0),
    screenshot="full",
)
