"""newmedia.list_stale: the published 政务新媒体 list has not been updated for longer than
[disclosure] newmedia_list_days (清单管理, 动态更新). The list's date is its page's own
(PubDate meta or a labelled 发布/更新时间); without one nothing is said."""

from __future__ import annotations

from collections.abc import Iterator

from govaudit.checks.base import Outcome, Rule, RuleContext, Severity
from govaudit.checks.newmedia.listing import read_list
from govaudit.crawler.snapshot import SiteSnapshot


def check(snapshot: SiteSnapshot, context: RuleContext) -> Iterator[Outcome]:
    listing = read_list(snapshot, context)
    if listing.url is None:
        return   # no list at all: disclosure.newmedia_list_missing says so
    if listing.unreadable:
        yield RULE.not_checked(listing.unreadable, listing.url)
        return
    if listing.updated is None:
        yield RULE.not_checked("清单页面上没有发布或更新日期，无法判断是否动态更新", listing.url)
        return
    limit = context.config.disclosure.newmedia_list_days
    age = (context.today - listing.updated.value).days
    if age > limit:
        yield RULE.finding(listing.url, {"title": listing.title, "updated": listing.updated.value.isoformat(),
                                         "date_text": listing.updated.text, "age_days": age, "limit_days": limit,
                                         "accounts": len(listing.accounts)})


RULE = Rule(
    id="newmedia.list_stale",
    title="政务新媒体清单长期未更新",
    severity=Severity.NOTICE,
    basis="国办发〔2018〕123号《关于推进政务新媒体健康有序发展的意见》（政务新媒体清单管理，动态更新）",
    explanation="网站公布的政务新媒体清单页面自身标注的发布或更新日期距检查日超过 [disclosure] newmedia_list_days（默认 365 天，"
                "未经核实的默认值）。报告中列出清单的账号数、名称、平台和主办单位；账号本身的更新情况需在各平台上核查，不在本工具范围内。",
    messages={"default": "政务新媒体清单最近更新于 {updated}，已 {age_days} 天未更新（要求 {limit_days} 天内），列有 {accounts} 个账号"},
    check=check,
    advice="按清单管理要求及时更新政务新媒体清单（新开设、关停、整合的账号）。",
)
