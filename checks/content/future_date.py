"""content.future_date: an article dated after the audit's day (19号 严重问题: a faked date).

Only a date the article page itself states counts: its 47号 PubDate meta tag or a labelled
发布时间/发布日期. A list's date (an event date in a 会议预告 list looks the same) or a date
read from the URL is not proof. Dates up to [content] future_tolerance_days ahead are allowed:
a site on Beijing time may already be "tomorrow" when the audit runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from govaudit.checks.base import Outcome, Rule, RuleContext, Severity
from govaudit.checks.sitemodel.columns import site_model
from govaudit.crawler.snapshot import SiteSnapshot

_STATED = {"meta": "页面元数据 PubDate", "label": "页面上标注的发布时间"}


def check(snapshot: SiteSnapshot, context: RuleContext) -> Iterator[Outcome]:
    model = site_model(snapshot, context)
    latest = context.today + timedelta(days=context.config.content.future_tolerance_days)
    for url, found in sorted(model.article_dates.items()):
        if found.source not in _STATED or found.value <= latest:
            continue
        texts = model.texts_of(url)
        title = texts.most_common(1)[0][0] if texts else ""
        columns = [c for c in model.columns.values() if any(i.url == url for i in c.items)]
        yield RULE.finding(url, {
            "title": title or "（无链接文字）", "date": found.value.isoformat(), "date_text": found.text,
            "date_source": _STATED[found.source], "days_ahead": (found.value - context.today).days,
            "column": columns[0].name if columns else "", "column_url": columns[0].url if columns else "",
            "linked_from": model.sources_of(url)[:5],
        })


RULE = Rule(
    id="content.future_date",
    title="发布日期晚于检查日期",
    severity=Severity.VETO,
    basis="国办秘函〔2019〕19号《政府网站与政务新媒体检查指标》单项否决指标“严重问题”（发布时间造假）",
    explanation="文章页自身标注的发布日期（PubDate 元数据或“发布时间”标注）晚于检查日期（默认容许 1 天时差）。"
                "列表中的日期、网址中的日期不作为依据。",
    messages={"default": "“{title}”标注的发布日期为 {date}，晚于检查日期 {days_ahead} 天（{date_source}：{date_text}）"},
    check=check,
    advice="核实该信息的实际发布时间并更正；检查内容管理系统的发布时间设置，不得预填未来日期。",
    screenshot="top",
)
