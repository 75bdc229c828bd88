"""columns.stale: a column not updated within its class limit (undated items count as not updated)."""

from __future__ import annotations

from collections.abc import Iterator

from govaudit.checks.base import Outcome, Rule, RuleContext, Severity
from govaudit.checks.columns.common import BASIS_19, CLASS_LABELS, freshness
from govaudit.checks.options import Deduction
from govaudit.checks.sitemodel.columns import site_model
from govaudit.crawler.snapshot import SiteSnapshot


def check(snapshot: SiteSnapshot, context: RuleContext) -> Iterator[Outcome]:
    model = site_model(snapshot, context)
    entries = freshness(model, context.config.freshness, context.today)
    if not entries:
        yield RULE.not_checked("没有识别出栏目列表页（页面可能由脚本生成，或抓取范围不足）")
    for entry in entries:
        column = entry.column
        if entry.status == "script":
            why = next((n.detail for n in snapshot.notes if n.kind == "render_unavailable"), "未渲染页面")
            yield RULE.not_checked(f"栏目“{column.name}”的列表由脚本另行加载（{why}），无法读取", column.url)
            continue
        if entry.status == "no_list":
            yield RULE.not_checked(f"栏目“{column.name}”页面上没有识别出信息列表，无法判断更新情况", column.url)
            continue
        if entry.status == "unknown":
            yield RULE.not_checked(f"栏目“{column.name}”{entry.unknown_reason}，无法判断更新情况", column.url)
            continue
        if entry.status not in ("stale", "undated"):
            continue
        evidence = {
            "column": column.name, "column_url": column.url, "class": CLASS_LABELS[column.klass],
            "limit_days": entry.limit_days, "items": len(column.items), "pages_read": column.pages,
            "newest_title": entry.newest.title if entry.newest else None,
            "newest_url": entry.newest.url if entry.newest else None,
            "newest_date": entry.newest_date.value.isoformat() if entry.newest_date else None,
            "date_source": entry.newest_date.source if entry.newest_date else None,
            "age_days": entry.age_days, "today": context.today.isoformat(),
            "future_dates": list(entry.future_dates),
            "view": "浏览器渲染后的页面" if _rendered(snapshot, column.pages) else "页面源代码",
        }
        variant = entry.status
        if entry.status == "stale" and entry.newest_date is None and entry.newest_bound is not None:
            variant = "stale_guessed_year"
            evidence["latest_possible_date"] = entry.newest_bound.value.isoformat()
            evidence["latest_possible_age_days"] = (context.today - entry.newest_bound.value).days
        yield RULE.finding(column.url, evidence, variant=variant)


def _rendered(snapshot: SiteSnapshot, urls: list[str]) -> bool:
    return any(snapshot.pages[u].rendered for u in urls if u in snapshot.pages)


RULE = Rule(
    id="columns.stale",
    title="栏目更新不及时",
    severity=Severity.DEDUCT,
    basis=BASIS_19,
    explanation="按栏目名称分类：动态/要闻类 14 天、通知公告/政策文件类 183 天（其他栏目默认不判断，均可配置），"
                "以列表中最新一条的日期（抓取到正文页时以正文页日期为准）计算距检查基准日的天数；"
                "列表条目均未注明日期（条目中没有任何日期样式的文字）的视为未更新；日期无法识别、或只显示月日且年份无法确认的，"
                "列入未检查，不判为未更新（只显示月日时按最近可能的年份计算仍已超期的，判为未更新）；晚于基准日的日期视为可疑，不计入。",
    messages={"stale": "栏目“{column}”（{class}）最新一条发布于 {newest_date}，已 {age_days} 天未更新（要求 {limit_days} 天内）",
              "stale_guessed_year": "栏目“{column}”（{class}）的信息只显示月日；按最近可能的年份计算，最新一条也已 "
                                    "{latest_possible_age_days} 天未更新（要求 {limit_days} 天内）",
              "undated": "栏目“{column}”（{class}）的 {items} 条信息均未注明发布日期，视为未更新"},
    check=check,
    advice="按栏目定位及时发布信息；确已不再更新的栏目应归档或关闭入口。所有信息须注明发布日期。",
    points=Deduction(points=1.0, cap=10.0),
    screenshot="top",
)
