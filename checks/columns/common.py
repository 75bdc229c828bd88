"""Column freshness (19号 栏目不更新), shared by columns.stale, columns.stale_veto and the
report's freshness table. An item without a date counts as not updated [V]."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from checks.sitemodel.columns import Column, SiteModel
from checks.sitemodel.dates import FoundDate
from checks.sitemodel.lists import Item
from govaudit.config import Freshness

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
    status: str                    # fresh / stale / undated / blank / script / no_list / not_judged


def item_date(model: SiteModel, item: Item) -> FoundDate | None:
    """The article page's own date when it was crawled (more reliable), else the list's."""
    return model.article_dates.get(item.url) or item.date


def limit_for(klass: str, options: Freshness) -> int | None:
    days = {"news": options.news_days, "notice": options.notice_days, "other": options.other_days}.get(klass)
    return days or None


def freshness(model: SiteModel, options: Freshness, today: date) -> list[Freshened]:
    result = []
    for column in model.columns.values():
        limit = limit_for(column.klass, options)
        dated = [(item, item_date(model, item)) for item in column.items]
        future = tuple(f"{i.title}（{d.value}）" for i, d in dated if d is not None and d.value > today)
        valid = [(i, d) for i, d in dated if d is not None and d.value <= today]
        newest, newest_date = max(valid, key=lambda pair: pair[1].value) if valid else (None, None)
        age = (today - newest_date.value).days if newest_date else None
        if column.blank:
            status = "blank"
        elif column.script_list:
            status = "script"
        elif limit is None:
            status = "not_judged"
        elif not column.items:
            status = "no_list"
        elif newest_date is None:
            status = "undated"
        else:
            status = "stale" if age is not None and age > limit else "fresh"
        result.append(Freshened(column, limit, newest, newest_date, age, future, status))
    return result


def is_not_updated(entry: Freshened) -> bool:
    return entry.status in ("stale", "undated")


def counts_for_veto_a(entry: Freshened) -> bool:
    """19号 (a): 动态/要闻 columns stale for 2 weeks, first-level 通知公告/政策文件 for 6 months."""
    if not is_not_updated(entry):
        return False
    return entry.column.klass == "news" or (entry.column.klass == "notice" and entry.column.first_level)
