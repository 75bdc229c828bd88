"""site.unreachable: the homepage did not load (国办秘函〔2019〕19号 站点无法访问).

One on-demand inspection cannot measure the 5% failure share the indicator uses over a week
(that is site.availability, from probe history); it reports what every try saw.
"""

from __future__ import annotations

from collections.abc import Iterator

from govaudit.checks.base import Outcome, Rule, RuleContext, Severity
from govaudit.checks.wording import attempts_evidence, describe_outcome
from govaudit.crawler.snapshot import SiteSnapshot


def check(snapshot: SiteSnapshot, context: RuleContext) -> Iterator[Outcome]:
    robots = next((n for n in snapshot.notes if n.kind == "robots_homepage"), None)
    if robots is not None:
        yield RULE.not_checked(robots.detail, snapshot.start_url)
        return
    home = snapshot.homepage
    if home is None:
        yield RULE.not_checked("首页未能请求（抓取提前结束）", snapshot.start_url)
        return
    if home.ok:
        return
    if home.failure is not None and not home.failure.proves_dead:
        yield RULE.not_checked(f"首页未能打开：{describe_outcome(home)}，无法判断网站是否可以访问", snapshot.start_url)
        return
    evidence = {"status": home.status, "error": home.error, "seen": describe_outcome(home),
                "tries": len(home.attempts), "attempts": attempts_evidence(home),
                "redirects": [{"url": h.url, "status": h.status} for h in home.redirects],
                "final_url": home.final_url, "checked_at": home.fetched_at}
    yield RULE.finding(snapshot.start_url, evidence, on_homepage=True)


RULE = Rule(
    id="site.unreachable",
    title="首页无法访问",
    severity=Severity.VETO,
    basis="国办秘函〔2019〕19号《政府网站与政务新媒体检查指标》单项否决指标“站点无法访问”",
    explanation="请求首页（超时、连接错误、429 和 5xx 按退避重试），仍无法正常打开则记录每次尝试的结果。",
    messages={"default": "首页无法访问：{tries} 次尝试均失败，最后一次为 {seen}"},
    check=check,
    needs_homepage=False,
)
