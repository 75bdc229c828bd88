"""Column freshness (19号 栏目不更新), shared by columns.stale, columns.stale_veto,
homepage.stale and the report's freshness table.

An item without a date counts as not updated [V], but only when its row was read and shows
no date-like text at all. A date whose year was guessed (MM-DD with no year on the page) is
an upper bound: the most recent date it can be, so "even at best older than the limit" is
proof of staleness and "maybe recent" proves nothing. A row whose date-like text could not
be read makes the column unknown unless a known date already shows it fresh.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from govaudit.checks.options import Freshness
from govaudit.checks.sitemodel.columns import Column, SiteModel
from govaudit.checks.sitemodel.dates import FoundDate
from govaudit.checks.sitemodel.lists import Item

BASIS_19 = "国办秘函〔2019〕19号《政府网站与政务新媒体检查指标》单项否决指标“栏目不更新”"
CLASS_LABELS = {"news": "动态/要闻类", "notice": "通知公告/政策文件类", "interaction": "互动类", "other": "其他"}


@dataclass(frozen=True)
class Freshened:
    """One column's standing: its limit, newest dated item and age, and the verdict."""

    column: Column
    limit_days: int | None         # None: not judged (class without a limit)
    newest: Item | None
    newest_date: FoundDate | None
    age_days: int | None
    future_dates: tuple[str, ...]  # items dated after today: suspicious, not counted
    status: str                    # fresh / stale / undated / unknown / blank / script / no_list / not_judged
    unknown_reason: str = ""
    newest_bound: FoundDate | None = None   # the latest date an item can have (guessed years included)


def known_date(model: SiteModel, item: Item) -> FoundDate | None:
    """A date that was read, not guessed: the article page's own, or the list's full date."""
    article = model.article_dates.get(item.url)
    if article is not None:
        return article
    return item.date if item.date_known else None


@dataclass(frozen=True)
class Newest:
    """The newest of some items as far as can be told."""

    item: Item | None              # the newest item with a known date
    known: FoundDate | None        # its date
    bound: FoundDate | None        # the latest date any item can have (known or guessed year)
    unreadable: int                # items whose date-like text could not be read
    guessed: int                   # items with a guessed year and no confirming article date


def newest_of(model: SiteModel, items: list[Item], today: date) -> Newest:
    known = [(i, d) for i in items if (d := known_date(model, i)) is not None and d.value <= today]
    guessed = [i.date for i in items if known_date(model, i) is None and i.date_is_guess and i.date is not None]
    unreadable = sum(1 for i in items if known_date(model, i) is None and i.date_unreadable)
    item, found = max(known, key=lambda pair: pair[1].value) if known else (None, None)
    bounds = [d for d in (found, *guessed) if d is not None]
    bound = max(bounds, key=lambda d: d.value) if bounds else None
    return Newest(item, found, bound, unreadable, len(guessed))


def judge_age(newest: Newest, limit: int, today: date) -> tuple[str, str]:
    """(fresh / stale / undated / unknown, why unknown) for items whose newest is `newest`."""
    if newest.known is not None and (today - newest.known.value).days <= limit:
        return "fresh", ""
    if newest.unreadable:
        return "unknown", f"{newest.unreadable} 条信息的日期无法识别"
    if newest.bound is None:
        return "undated", ""
    if (today - newest.bound.value).days > limit:
        return "stale", ""
    return "unknown", f"{newest.guessed} 条信息只显示月日、未显示年份，无法确定发布年份"


def limit_for(klass: str, options: Freshness) -> int | None:
    days = {"news": options.news_days, "notice": options.notice_days, "other": options.other_days}.get(klass)
    return days or None


def freshness(model: SiteModel, options: Freshness, today: date) -> list[Freshened]:
    result = []
    for column in model.columns.values():
        limit = limit_for(column.klass, options)
        future = tuple(f"{i.title}（{d.value}）" for i in column.items
                       if (d := known_date(model, i)) is not None and d.value > today)
        newest = newest_of(model, column.items, today)
        age = (today - newest.known.value).days if newest.known else None
        why = ""
        if column.blank:
            status = "blank"
        elif column.script_list:
            status = "script"
        elif limit is None:
            status = "not_judged"
        elif not column.items:
            status = "no_list"
        else:
            status, why = judge_age(newest, limit, today)
        result.append(Freshened(column, limit, newest.item, newest.known, age, future, status, why, newest.bound))
    return result


def is_not_updated(entry: Freshened) -> bool:
    return entry.status in ("stale", "undated")


def counts_for_veto_a(entry: Freshened) -> bool:
    """19号 (a): 动态/要闻 columns stale for 2 weeks, first-level 通知公告/政策文件 for 6 months."""
    if not is_not_updated(entry):
        return False
    return entry.column.klass == "news" or (entry.column.klass == "notice" and entry.column.first_level)
