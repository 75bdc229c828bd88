"""regulations.late_publication: published more than 20 working days after 成文日期
(条例 第二十六条). Weekends and official holidays (with their make-up working days) are
excluded, per the chinese_calendar data; a year outside that data is not judged."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import chinese_calendar

from govaudit.checks.base import Outcome, Rule, RuleContext, Severity
from govaudit.checks.regulations.common import BASIS_ORDINANCE
from govaudit.checks.sitemodel.columns import site_model
from govaudit.crawler.snapshot import SiteSnapshot


def working_days_between(start, end) -> int:  # type: ignore[no-untyped-def]
    """Working days after `start` up to and including `end`; raises NotImplementedError for
    years the holiday calendar does not cover."""
    if end <= start:
        return 0
    return len(chinese_calendar.get_workdays(start + timedelta(days=1), end))


def check(snapshot: SiteSnapshot, context: RuleContext) -> Iterator[Outcome]:
    limit = context.config.regulations.late_publication_working_days
    for url, meta in site_model(snapshot, context).documents.items():
        if meta.written is None or meta.published is None:
            continue
        try:
            days = working_days_between(meta.written, meta.published)
        except NotImplementedError:
            yield RULE.not_checked(f"节假日数据不含 {meta.written.year}–{meta.published.year} 年，未计算工作日", url)
            continue
        if days > limit:
            yield RULE.finding(url, {"title": meta.title, "doc_no": meta.doc_no,
                                     "written": meta.written.isoformat(), "published": meta.published.isoformat(),
                                     "working_days": days, "limit": limit,
                                     "calendar": "周末及国务院办公厅公布的法定节假日（含调休上班日），chinese_calendar 数据"})


RULE = Rule(
    id="regulations.late_publication",
    title="文件公开超过 20 个工作日",
    severity=Severity.NOTICE,
    basis=BASIS_ORDINANCE + "第二十六条",
    explanation="页面同时标有成文日期和发布日期的，计算两者之间的工作日（不含周末和法定节假日，调休上班日计入），"
                "超过 20 个工作日即提示。",
    messages={"default": "{doc_no}《{title}》成文于 {written}，{published} 才公开，间隔 {working_days} 个工作日"
                         "（应在 {limit} 个工作日内）"},
    check=check,
    advice="文件形成或变更后 20 个工作日内公开。",
    screenshot="top",
)
