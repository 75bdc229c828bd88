"""Messages of 留言/咨询 columns: when asked, whether and when answered.

A row's state comes from its words (已回复 / 未回复 ...), a labelled 回复时间, or a second
date; a crawled detail page adds what it shows (回复内容, 暂未回复). What cannot be read
stays unknown (None), never "unanswered".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from checks.sitemodel.columns import SiteModel, data, matches
from checks.sitemodel.dates import full_dates, normalise
from checks.sitemodel.lists import in_page_chrome, visible_text
from crawler.snapshot import Page, SiteSnapshot
from crawler.urls import LinkTarget, resolve_link


@dataclass(frozen=True)
class Message:
    title: str
    url: str | None
    asked: date | None
    replied: bool | None
    reply_date: date | None
    seen_on: str


def _date_after(text: str, labels: list[str]) -> date | None:
    for label in labels:
        index = text.find(label)
        if index >= 0:
            dates = full_dates(text[index + len(label): index + len(label) + 30])
            if dates:
                return dates[0]
    return None


def _state(text: str) -> bool | None:
    if matches(text, data()["unreplied_words"]):
        return False
    if matches(text, data()["replied_words"]):
        return True
    return None


def _row_message(row: Any, page: Page) -> Message | None:
    text = normalise(visible_text(row))
    dates = full_dates(text)
    if not dates:
        return None
    anchors = [a for a in row.iter("a") if a.get("href")]
    title_anchor = max(anchors, key=lambda a: len(visible_text(a)), default=None)
    title = visible_text(title_anchor) if title_anchor is not None else text[:40]
    url = None
    if title_anchor is not None:
        resolved = resolve_link(page.fetch.final_url, title_anchor.get("href") or "")
        url = resolved.url if resolved.target is LinkTarget.HTTP else None
    asked = _date_after(text, data()["ask_labels"]) or dates[0]
    reply_date = _date_after(text, data()["reply_labels"])
    if reply_date is None and len(dates) >= 2 and dates[1] >= asked:
        reply_date = dates[1]
    replied = _state(text)
    if replied is None and reply_date is not None:
        replied = True
    return Message(title, url, asked, replied, reply_date, page.url)


def _from_detail(message: Message, detail: Page) -> Message:
    text = normalise(" ".join(detail.tree.xpath("//body//text()[not(ancestor::script)]"))) if detail.tree is not None else ""
    asked = _date_after(text, data()["ask_labels"]) or message.asked
    reply_date = _date_after(text, data()["reply_labels"]) or message.reply_date
    replied = message.replied
    state = _state(text)
    if state is False:
        replied = False
    elif _has_reply_content(text) or state is True:
        replied = True
    return Message(message.title, message.url, asked, replied, reply_date, message.seen_on)


def _has_reply_content(text: str) -> bool:
    for label in data()["reply_content_labels"]:
        index = text.find(label)
        if index >= 0:
            following = re.sub(r"\s", "", text[index + len(label): index + len(label) + 40])
            if len(following) >= 6 and not matches(following[:8], ["暂无", "暂未", "无"]):
                return True
    return False


def messages(model: SiteModel, snapshot: SiteSnapshot) -> list[Message]:
    found: dict[tuple[str, str | None], Message] = {}
    for column in model.columns.values():
        if column.klass != "interaction":
            continue
        for page_url in column.pages:
            page = snapshot.pages.get(page_url)
            if page is None or page.tree is None:
                continue
            for row in page.tree.iter("tr", "li"):
                if in_page_chrome(row):
                    continue
                message = _row_message(row, page)
                if message is None:
                    continue
                detail = snapshot.pages.get(message.url or "")
                if detail is not None and detail.fetch.ok:
                    message = _from_detail(message, detail)
                found.setdefault((message.title, message.url), message)
    return list(found.values())


def channels(model: SiteModel) -> list[tuple[str, str]]:
    """(link text, URL) of links to 留言/咨询/信箱 channels anywhere on the site."""
    return model.find_links(data()["column_classes"]["interaction"])
