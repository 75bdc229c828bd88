"""Publication dates in Chinese government pages.

Sources, most reliable first: the 47号 `PubDate` meta tag, a labelled 发布日期/发布时间
field, the date in the URL (t20210726_, /2021-07/26/). htmldate was measured on 8 real-shaped
Chinese article headers and found 3 (none written 年月日; with extensive_search 4, and 3
wrong dates), so it is not used: a wrong date would make a false "stale". List pages
show YYYY-MM-DD, YYYY年M月D日, YYYY/MM/DD, or MM-DD under a year heading (or in a current
list, where the year is inferred). Full-width digits are read as digits.
"""

from __future__ import annotations

import re
from functools import cache
from dataclasses import dataclass
from datetime import date
from typing import Any

from checks.pagetext import nfkc

_FULL = re.compile(r"(?<!\d)(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?!\d)")
_PARTIAL = re.compile(r"(?<![\d\-/.年])(\d{1,2})\s*[-/月]\s*(\d{1,2})\s*日?(?![\d\-/.])")
_YEAR_HEADING = re.compile(r"^\s*(\d{4})\s*年?\s*$")
_URL_DATES = (
    re.compile(r"[/_]t(\d{4})(\d{2})(\d{2})_"),            # TRS: /t20210726_123.html
    re.compile(r"/(\d{4})-(\d{2})/(\d{2})/"),               # gov.cn: /2021-07/26/content_
    re.compile(r"/(\d{4})(\d{2})/(\d{2})/"),                # /202107/26/
    re.compile(r"/(\d{4})(\d{2})(\d{2})/"),                 # /20210726/
)
_LABELS = ("发布日期", "发布时间", "发文日期", "公开日期", "发表时间", "日期", "时间")
_PUBDATE_META = ("pubdate", "publishdate", "firstpublishedtime", "article:published_time", "dc.date", "dcterms.issued")
_EARLIEST_PLAUSIBLE = date(1990, 1, 1)


@dataclass(frozen=True)
class FoundDate:
    value: date
    source: str        # meta / label / url / list / list_inferred_year
    text: str = ""     # what was read


def normalise(text: str) -> str:
    return nfkc(text)


def _make(year: int, month: int, day: int) -> date | None:
    try:
        value = date(year, month, day)
    except ValueError:
        return None
    return value if value >= _EARLIEST_PLAUSIBLE else None


def full_dates(text: str) -> list[date]:
    """Every complete date written in `text`."""
    found = []
    for match in _FULL.finditer(normalise(text)):
        value = _make(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        if value:
            found.append(value)
    return found


def first_date(text: str, *, today: date, year_hint: int | None = None) -> FoundDate | None:
    """The first date in a list row's text: complete, or month-day with a year from the
    heading above it or, failing that, the most recent such date not after `today`."""
    text = normalise(text)
    full = _FULL.search(text)
    if full:
        value = _make(int(full.group(1)), int(full.group(2)), int(full.group(3)))
        if value:
            return FoundDate(value, "list", full.group(0))
    partial = _PARTIAL.search(text)
    if partial is None:
        return None
    month, day = int(partial.group(1)), int(partial.group(2))
    if year_hint is not None:
        value = _make(year_hint, month, day)
        return FoundDate(value, "list", partial.group(0)) if value else None
    value = _make(today.year, month, day)
    if value and value > today:
        value = _make(today.year - 1, month, day)
    return FoundDate(value, "list_inferred_year", partial.group(0)) if value else None


def year_heading(text: str) -> int | None:
    match = _YEAR_HEADING.match(normalise(text))
    return int(match.group(1)) if match else None


def url_date(url: str) -> FoundDate | None:
    for pattern in _URL_DATES:
        match = pattern.search(url)
        if match:
            value = _make(int(match.group(1)), int(match.group(2)), int(match.group(3)))
            if value:
                return FoundDate(value, "url", match.group(0))
    return None


@cache
def _label_patterns() -> list[tuple[str, re.Pattern[str]]]:
    return [(label, re.compile(re.escape(label) + r"\s*[:：﹕]?\s*")) for label in _LABELS]


def article_date(tree: Any, url: str, text: str) -> FoundDate | None:
    """The publication date of an article page, from the most reliable source present."""
    for meta in tree.iter("meta"):
        name = (meta.get("name") or meta.get("property") or "").lower()
        if name in _PUBDATE_META:
            dates = full_dates(meta.get("content") or "")
            if dates:
                return FoundDate(dates[0], "meta", meta.get("content") or "")
    # The labels are CJK words NFKC leaves alone: found in the raw text, and only the few
    # characters after each are normalised (a whole page's NFKC is the costly part).
    for label, pattern in _label_patterns():
        for match in pattern.finditer(text):
            following = normalise(text[match.end(): match.end() + 48])[:24]
            full = _FULL.match(following)
            if full:
                value = _make(int(full.group(1)), int(full.group(2)), int(full.group(3)))
                if value:
                    return FoundDate(value, "label", label + full.group(0))
    return url_date(url)
