"""homepage.stale: no new item on the homepage within 14 days (19号 首页不更新).

A homepage that is only navigation is judged by its second-level pages. Nothing is said
(not_checked) when no item has a date, when dates show month and day only and even the
most recent year they can have is within the limit, when a date could not be read, or when
the homepage fills lists by script and was not rendered (an old static block is not the
homepage's newest news).
"""

from __future__ import annotations

from collections.abc import Iterator

from govaudit.checks.base import Outcome, Rule, RuleContext, Severity
from govaudit.checks.columns.common import judge_age, newest_of
from govaudit.checks.sitemodel.columns import site_model
from govaudit.checks.sitemodel.pagefacts import page_facts
from govaudit.crawler.snapshot import SiteSnapshot


def check(snapshot: SiteSnapshot, context: RuleContext) -> Iterator[Outcome]:
    model = site_model(snapshot, context)
    limit = context.config.freshness.homepage_days
    today = context.today
    where = "首页"
    items = model.homepage_items
    if not any(i.date is not None or i.date_unreadable for i in items):
        where = "首页（导航页）下的二级页面"
        items = [i for c in model.columns.values() if c.depth == 1 for i in c.items]
    newest = newest_of(model, list(items), today)
    status, why = judge_age(newest, limit, today)
    if status == "undated":
        yield RULE.not_checked("首页及二级页面上未找到带日期的信息（可能由脚本生成），无法判断首页更新情况")
        return
    if status == "unknown":
        yield RULE.not_checked(f"{where}{why}，无法判断首页更新情况")
        return
    if status == "fresh":
        return
    home = snapshot.homepage_page
    if home is not None and not home.rendered:
        listing = page_facts(home, today).listing
        if listing is not None and listing.script_list:
            yield RULE.not_checked("首页部分信息列表由脚本加载，未经浏览器渲染，无法确认首页最新信息的日期")
            return
    assert newest.bound is not None
    evidence = {"where": where, "limit_days": limit, "today": today.isoformat(),
                "newest_title": newest.item.title if newest.item else None,
                "newest_url": newest.item.url if newest.item else None,
                "newest_date": newest.known.value.isoformat() if newest.known else None,
                "date_source": newest.known.source if newest.known else None,
                "age_days": (today - newest.known.value).days if newest.known else None,
                "latest_possible_date": newest.bound.value.isoformat(),
                "latest_possible_age_days": (today - newest.bound.value).days}
    variant = "default" if newest.known is not None and newest.known == newest.bound else "guessed_year"
    yield RULE.finding(snapshot.start_url, evidence, variant=variant, on_homepage=True)


RULE = Rule(
    id="homepage.stale",
    title="首页不更新",
    severity=Severity.VETO,
    basis="国办秘函〔2019〕19号《政府网站与政务新媒体检查指标》单项否决指标“首页不更新”",
    explanation="首页上最新一条信息的日期距检查基准日超过 14 天（可配置）；首页仅为导航页的，看二级页面。"
                "只显示月日的日期按最近可能的年份计算，仍超期才判定；日期无法识别、或首页列表由脚本加载而未渲染的，列入未检查。",
    messages={"default": "{where}最新一条信息发布于 {newest_date}，已 {age_days} 天没有更新（要求 {limit_days} 天内）",
              "guessed_year": "{where}的信息只显示月日；按最近可能的年份计算，最新一条也已 {latest_possible_age_days} 天没有更新"
                              "（要求 {limit_days} 天内；有完整日期的最新一条为 {newest_date}）"},
    check=check,
    advice="首页应持续更新；动态、要闻等栏目在首页的展示区要及时发布新信息。",
    screenshot="top",
)
