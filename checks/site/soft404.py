"""site.soft404: a made-up address answers 200, so dead pages look alive."""

from __future__ import annotations

from collections.abc import Iterator

from govaudit.checks.base import Outcome, Rule, RuleContext, Severity
from govaudit.checks.wording import describe_outcome
from govaudit.crawler.snapshot import SiteSnapshot


def check(snapshot: SiteSnapshot, context: RuleContext) -> Iterator[Outcome]:
    if not snapshot.soft404:
        yield RULE.not_checked("未能发送虚构地址探测（robots.txt 禁止或抓取提前结束）")
        return
    for probe in snapshot.soft404:
        outcome = probe.outcome
        if outcome.status is None:
            yield RULE.not_checked(f"虚构地址探测失败：{describe_outcome(outcome)}", probe.probe_url)
        elif outcome.ok:
            yield RULE.finding(probe.probe_url, {
                "probe_url": probe.probe_url, "status": outcome.status, "final_url": outcome.final_url,
                "redirects": [{"url": h.url, "status": h.status} for h in outcome.redirects],
                "title": probe.title, "checked_at": outcome.fetched_at})


RULE = Rule(
    id="site.soft404",
    title="不存在的页面返回 200",
    severity=Severity.NOTICE,
    basis="国办发〔2017〕47号《政府网站发展指引》（错误页面应返回 404 并引导用户）",
    explanation="请求每个站点主机上一个虚构的地址；返回 200（含重定向到首页）说明失效页面无法与正常页面区分，死链也难以被发现。",
    messages={"default": "虚构地址 {probe_url} 返回 HTTP {status}（页面标题“{title}”），不存在的页面未返回 404"},
    check=check,
)
