"""Messages of 留言/咨询 columns: when asked, whether and when answered.

A row (found as list items are: checks/sitemodel/lists.item_rows) takes its state from its
words (已回复 / 未回复 ...), a labelled 回复时间, or a second date. A crawled detail page
adds what the message's own fields show: a reply date or reply text means answered, and
wins; otherwise a labelled status field (办理状态：办理中). Words elsewhere on the page (a
sidebar titled 办理中留言, an automatic 预答复) never count. What cannot be read stays
unknown (None), never "unanswered".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from govaudit.checks.pageread import PageRead, read_page
from govaudit.checks.sitemodel.columns import SiteModel, data, matches
from govaudit.checks.sitemodel.dates import full_dates, normalise
from govaudit.checks.sitemodel.lists import item_rows, visible_text
from govaudit.crawler.snapshot import SiteSnapshot


@dataclass(frozen=True)
class Message:
    title: str
    url: str | None
    asked: date | None
    replied: bool | None
    reply_date: date | None
    seen_on: str


def _after_labels(text: str, labels: list[str], span: int) -> list[str]:
    """The `span` characters after each occurrence of each label, except a label that is
    the tail of an automatic one (预答复时间)."""
    found = []
    for label in labels:
        for match in re.finditer(r"(?<![预自])" + re.escape(label), text):
            found.append(text[match.end(): match.end() + span])
    return found


def _date_after(text: str, labels: list[str]) -> date | None:
    for following in _after_labels(text, labels, 30):
        dates = full_dates(following)
        if dates:
            return dates[0]
    return None


def _field_state(text: str) -> bool | None:
    """The state written in a labelled status field (办理状态：已办结)."""
    for following in _after_labels(text, data()["status_labels"], 10):
        state = _state(following.lstrip(":： "))
        if state is not None:
            return state
    return None


def _state(text: str) -> bool | None:
    if matches(text, data()["unreplied_words"]):
        return False
    if matches(text, data()["replied_words"]):
        return True
    return None


def _row_message(row: Any, title: str, url: str, page: PageRead) -> Message | None:
    text = normalise(visible_text(row))
    dates = full_dates(text)
    if not dates:
        return None
    asked = _date_after(text, data()["ask_labels"]) or dates[0]
    reply_date = _date_after(text, data()["reply_labels"])
    if reply_date is None and len(dates) >= 2 and dates[1] >= asked:
        reply_date = dates[1]
    replied = _state(text)
    if replied is None and reply_date is not None:
        replied = True
    return Message(title, url, asked, replied, reply_date, page.url)


def with_detail(message: Message, detail: PageRead) -> Message:
    """The message completed by its detail page's own fields."""
    nodes = detail.tree.xpath("//body//text()[not(ancestor::script) and not(ancestor::style)]") if detail.tree is not None else []
    text = normalise(" ".join(" ".join(nodes).split()))
    asked = _date_after(text, data()["ask_labels"]) or message.asked
    own_reply_date = _date_after(text, data()["reply_labels"])
    reply_date = own_reply_date or message.reply_date
    replied = message.replied
    if own_reply_date is not None or _has_reply_content(text):
        replied = True
    else:
        state = _field_state(text)
        if state is not None:
            replied = state
    return Message(message.title, message.url, asked, replied, reply_date, message.seen_on)


def _has_reply_content(text: str) -> bool:
    for following in _after_labels(text, data()["reply_content_labels"], 40):
        following = re.sub(r"\s", "", following)
        if len(following) >= 6 and not matches(following[:8], ["暂无", "暂未", "无"]):
            return True
    return False


def messages(model: SiteModel, snapshot: SiteSnapshot) -> list[Message]:
    found: dict[tuple[str, str | None], Message] = {}
    for column in model.columns.values():
        if column.klass != "interaction":
            continue
        for page_url in column.pages:
            page = read_page(snapshot, page_url)
            if page is None:
                continue
            for message in listed_messages(page):
                detail = read_page(snapshot, message.url or "")
                if detail is not None and detail.fetch.ok:
                    message = with_detail(message, detail)
                found.setdefault((message.title, message.url), message)
    return list(found.values())


def listed_messages(page: PageRead) -> list[Message]:
    """The messages a list page shows, as its rows tell them."""
    rows = (_row_message(row, title, url, page) for row, _anchor, title, url, _dates in item_rows(page))
    return [message for message in rows if message is not None]


def channels(model: SiteModel) -> list[tuple[str, str]]:
    """(link text, URL) of links to 留言/咨询/信箱 channels anywhere on the site."""
    return model.find_links(data()["column_classes"]["interaction"])
