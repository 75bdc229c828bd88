"""interaction.unanswered: a 政务咨询 message of the past year unanswered for over 3 months,
or no online consultation channel at all (19号 互动回应差)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from govaudit.checks.base import Outcome, Rule, RuleContext, Severity
from govaudit.checks.coverage import near_home_unknown
from govaudit.checks.sitemodel.columns import site_model
from govaudit.checks.sitemodel.interaction import channels, messages
from govaudit.checks.sitemodel.kind import duty_exempt
from govaudit.crawler.snapshot import SiteSnapshot


def check(snapshot: SiteSnapshot, context: RuleContext) -> Iterator[Outcome]:
    model = site_model(snapshot, context)
    found_channels = channels(model)
    if not found_channels:
        home = snapshot.homepage_page
        unread = near_home_unknown(snapshot, context)
        exempt = duty_exempt(snapshot, context, context.config.interaction.channel_site_kinds,
                             "[interaction] channel_site_kinds",
                             "集约化建设的部门一般通过门户网站的互动平台答复，部门网站没有自己的渠道不判为互动回应差")
        if home is None or not home.links:
            yield RULE.not_checked("首页没有可读的链接（可能由脚本生成），无法判断是否有互动渠道")
        elif unread:
            yield RULE.not_checked(f"首页上没有互动渠道的入口，{unread}")
        elif exempt:
            yield RULE.not_checked(f"网站上没有找到留言、咨询等互动渠道，但{exempt}")
        else:
            yield RULE.finding(snapshot.start_url, {"searched": "留言、咨询、信箱、互动等栏目或链接"},
                               variant="no_channel", on_homepage=True)
        return
    listed = messages(model, snapshot)
    if not listed:
        names = "、".join(f"{text}（{url}）" for text, url in found_channels[:3])
        yield RULE.not_checked(f"找到互动渠道 {names}，但未能读取留言列表（可能在站外平台或由脚本加载）")
        return
    options = context.config.interaction
    window_start = context.today - timedelta(days=options.window_days)
    overdue_before = context.today - timedelta(days=options.unanswered_days)
    unknown = 0
    for message in listed:
        if message.asked is None or message.asked < window_start or message.asked > overdue_before:
            continue
        if message.replied is None:
            unknown += 1
        elif not message.replied:
            yield RULE.finding(message.url or message.seen_on, {
                "title": message.title, "message_url": message.url, "asked": message.asked.isoformat(),
                "days_waiting": (context.today - message.asked).days, "list_page": message.seen_on,
                "today": context.today.isoformat()})
    if unknown:
        yield RULE.not_checked(f"{unknown} 条超过 {options.unanswered_days} 天的留言无法确定是否已回复")


RULE = Rule(
    id="interaction.unanswered",
    title="互动回应差",
    severity=Severity.VETO,
    basis="国办秘函〔2019〕19号《政府网站与政务新媒体检查指标》单项否决指标“互动回应差”",
    explanation="找出留言、咨询类栏目，读取每条留言的时间和回复状态（列表中的“已回复/未回复”、回复时间，或留言详情页的回复内容）；"
                "近一年内的有效留言超过 3 个月（可配置）未回复的逐条列出。网站没有任何留言咨询渠道的也属互动回应差。"
                "无法确定是否回复的留言列入未检查，不判为未回复；是否为有效留言需人工确认。",
    messages={"default": "留言“{title}”提交于 {asked}，已 {days_waiting} 天未回复",
              "no_channel": "网站上没有找到留言、咨询等在线互动渠道"},
    check=check,
    advice="对有效留言在规定时限内答复并公开；设置统一的政务咨询渠道。",
    screenshot="top",
)
