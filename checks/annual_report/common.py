"""Finding the yearly reports on a site and picking the one due (last year's, by --today).

Reports are found by link text ("2025年政府信息公开工作年度报告") anywhere on the site, read
from the crawled page or the downloaded attachment, and dated by the report page's own date
or, failing that, the list row's."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

from govaudit.checks.annual_report.model import AnnualReport, from_html, normalise, read_report, report_year
from govaudit.checks.base import Outcome, Rule, RuleContext
from govaudit.checks.sitemodel.columns import site_model
from govaudit.checks.sitemodel.dates import FoundDate
from govaudit.crawler.snapshot import SiteSnapshot

BASIS = "《中华人民共和国政府信息公开条例》第四十九条、第五十条；国办公开办函〔2021〕30号（2021年起格式）、国办公开办函〔2019〕60号"
# A report's title names a year, 信息公开 and 年度报告 (or 年报, 工作报告) in any order:
# "2025年政府信息公开工作年度报告", "政府信息公开工作年度报告（2025年）", "2025年度信息公开工作报告".
_YEAR = re.compile(r"(?<!\d)20\d{2}(?!\d)")
_DISCLOSURE = re.compile(r"信息公开|政务公开")
_REPORT = re.compile(r"年度报告|年报|工作报告")
# Titles that name all three but are about reports, not one (a notice on compiling them, a reading).
_ABOUT_REPORTS = ("通知", "编制", "解读", "格式", "培训", "评议", "会议")


def is_report_title(text: str) -> bool:
    flat = normalise(text).replace(" ", "")
    return (len(flat) <= 80 and bool(_YEAR.search(flat)) and bool(_DISCLOSURE.search(flat))
            and bool(_REPORT.search(flat)) and not any(word in flat for word in _ABOUT_REPORTS))


@dataclass(frozen=True)
class FoundReport:
    year: int | None
    url: str
    title: str
    published: FoundDate | None
    report: AnnualReport | None
    unread_reason: str | None      # why `report` is None or unreadable


def deadline_for(year: int, kind: str | None) -> date:
    """条例 第四十九、五十条: departments by 1月31日, a government's own report by 3月31日; a
    site whose kind is unknown is given the later date (never reported late by a guess)."""
    return date(year + 1, 1, 31) if kind == "department" else date(year + 1, 3, 31)


def site_reports(snapshot: SiteSnapshot, context: RuleContext) -> list[FoundReport]:
    return context.models.get(_find, snapshot, context)


def _find(snapshot: SiteSnapshot, context: RuleContext) -> list[FoundReport]:
    model = site_model(snapshot, context)
    list_dates = {item.url: item.date for column in model.columns.values() for item in column.items if item.date}
    found: dict[str, FoundReport] = {}
    for url in model.anchors:
        text = next((t for t in model.texts_of(url) if is_report_title(t)), None)
        if text is None or url in found:
            continue
        report, why = _read(snapshot, url, text)
        year = report.year if report is not None and report.year else report_year(text)
        published = model.article_dates.get(url) or list_dates.get(url)
        found[url] = FoundReport(year, url, text, published, report, why)
    return sorted(found.values(), key=lambda r: (r.year or 0), reverse=True)


def _read(snapshot: SiteSnapshot, url: str, title: str) -> tuple[AnnualReport | None, str | None]:
    page = snapshot.pages.get(url)
    html = snapshot.bodies.html(url) if page is not None and page.fetch.ok else None
    if html is not None:
        report = from_html(html, title)
        return report, report.unreadable
    attachment = snapshot.attachments.get(url)
    if attachment is not None:
        try:
            report = read_report(attachment.data, url, attachment.content_type)
        except Exception as exc:  # a broken file must not stop the other checks
            return None, f"附件无法解析（{type(exc).__name__}）"
        if attachment.truncated:
            return report, "附件超过下载上限，只读取了前一部分"
        return report, report.unreadable
    if page is not None and not page.fetch.ok:
        return None, "报告页面无法打开"
    return None, "报告正文未被抓取（可能是不支持的附件格式或超出抓取范围）"


def due_year(context: RuleContext) -> int:
    return context.today.year - 1


def due_report(snapshot: SiteSnapshot, context: RuleContext) -> FoundReport | None:
    year = due_year(context)
    return next((r for r in site_reports(snapshot, context) if r.year == year), None)


def readable_due_report(snapshot: SiteSnapshot, context: RuleContext) -> tuple[FoundReport | None, str | None]:
    """(the due report, None) when it can be read, else (maybe the report, why not)."""
    found = due_report(snapshot, context)
    if found is None:
        return None, f"未找到 {due_year(context)} 年度报告（见 annual_report.missing）"
    if found.report is None or found.unread_reason:
        return found, f"{found.title}：{found.unread_reason or '无法读取'}"
    return found, None


def judge_due_report(rule: Rule, snapshot: SiteSnapshot, context: RuleContext,
                     judge: Callable[[FoundReport], Iterator[Outcome]]) -> Iterator[Outcome]:
    """Run `judge` on the due report when it can be read, else say why in not_checked."""
    found, why = readable_due_report(snapshot, context)
    if why or found is None or found.report is None:
        yield rule.not_checked(why or "无法读取年度报告", found.url if found else None)
        return
    yield from judge(found)
