"""homepage.stale: no new item on the homepage within 14 days (19号 首页不更新).

A homepage that is only navigation is judged by its second-level pages. With no dated item
anywhere, nothing is said (dates may be drawn by script): not_checked.
"""

from __future__ import annotations

from collections.abc import Iterator

from checks.base import Outcome, Rule, RuleContext, Severity
from checks.columns.common import item_date
from checks.sitemodel.columns import site_model
from crawler.snapshot import SiteSnapshot


def check(snapshot: SiteSnapshot, context: RuleContext) -> Iterator[Outcome]:
    model = site_model(snapshot, context.today)
    limit = context.config.freshness.homepage_days
    today = context.today
    dated = [(i, d) for i in model.homepage_items if (d := item_date(model, i)) is not None and d.value <= today]
    where = "首页"
    if not dated:
        where = "首页（导航页）下的二级页面"
        dated = [(i, d) for c in model.columns.values() if c.depth == 1 for i in c.items
                 if (d := item_date(model, i)) is not None and d.value <= today]
    if not dated:
        yield RULE.not_checked("首页及二级页面上未找到带日期的信息（可能由脚本生成），无法判断首页更新情况")
        return
    item, found = max(dated, key=lambda pair: pair[1].value)
    age = (today - found.value).days
    if age > limit:
        yield RULE.finding(snapshot.start_url, {
            "where": where, "newest_title": item.title, "newest_url": item.url,
            "newest_date": found.value.isoformat(), "date_source": found.source, "age_days": age,
            "limit_days": limit, "today": today.isoformat()}, on_homepage=True)


RULE = Rule(
    id="homepage.stale",
    title="首页不更新",
    severity=Severity.VETO,
    task="30",
    basis="国办秘函〔2019〕19号《政府网站与政务新媒体检查指标》单项否决指标“首页不更新”",
    explanation="首页上最新一条信息的日期距检查基准日超过 14 天（可配置）；首页仅为导航页的，看二级页面。",
    messages={"default": "{where}最新一条信息发布于 {newest_date}，已 {age_days} 天没有更新（要求 {limit_days} 天内）"},
    check=check,
    advice="首页应持续更新；动态、要闻等栏目在首页的展示区要及时发布新信息。",
)
