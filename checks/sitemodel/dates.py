"""Publication dates in Chinese government pages.

Sources, most reliable first: the 47号 `PubDate` meta tag, a labelled 发布日期/发布时间
field, the date in the URL (t20210726_, /2021-07/26/). htmldate was measured on 8 real-shaped
Chinese article headers and found 3 (none written 年月日; with extensive_search 4, and 3
wrong dates), so it is not used: a wrong date would make a false "stale". List pages
show YYYY-MM-DD, YYYY年M月D日, YYYY/MM/DD, YYYY.MM.DD, split blocks (a day, then 2025-01 or
2025.01 in another element), or MM-DD / MM.DD under a year heading. MM-DD without a year
anywhere gets a guessed year (source "list_inferred_year"): a guess, which rules treat as
unknown until an article page confirms it. Full-width digits are read as digits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from govaudit.checks.pagetext import nfkc

_FULL = re.compile(r"(?<!\d)(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?!\d)")
_PARTIAL = re.compile(r"(?<![\d\-/.年])(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?![\d\-/.])")
# A day block next to a year-month block: "13 2025-01" (day first) or "2025-01 13".
_DAY_YEAR_MONTH = re.compile(r"(?<![\d\-/.])(\d{1,2})\s+(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?(?![\d\-/.])")
_YEAR_MONTH_DAY = re.compile(r"(?<![\d\-/.])(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?\s+(\d{1,2})\s*日?(?![\d\-/.:])")
# Text that looks like a date whether or not it could be read as one: a row carrying it is
# not "undated" (positive evidence of absence is a row with none of this).
_DATE_LIKE = re.compile(r"(?<!\d)(19|20)\d{2}\s*[-/.年]\s*\d{1,2}(?!\d)"
                        r"|(?<![\d.\-/])(0?[1-9]|1[0-2])\s*[-/.月]\s*(0?[1-9]|[12]\d|3[01])(?![\d.\-/])"
                        r"|(?<!\d)\d{1,2}\s*日")
_YEAR_HEADING = re.compile(r"^\s*(\d{4})\s*年?\s*$")
_URL_DATES = (
    re.compile(r"[/_]t(\d{4})(\d{2})(\d{2})_"),            # TRS: /t20210726_123.html
    re.compile(r"/(\d{4})-(\d{2})/(\d{2})/"),               # gov.cn: /2021-07/26/content_
    re.compile(r"/(\d{4})(\d{2})/(\d{2})/"),                # /202107/26/
    re.compile(r"/(\d{4})(\d{2})(\d{2})/"),                 # /20210726/
)
# Labels of a publication date, most specific first; the generic ones are read after the
# 47号 meta tag (a generic 日期 may be a 成文日期).
_LABELS = ("发布日期", "发布时间", "公开日期", "发文日期", "发表时间", "生成日期", "上传时间", "信息时间")
_GENERIC_LABELS = ("日期", "时间")
# Meta tags of an article's publication time (47号 PubDate, gov.cn firstpublishedtime ...).
PUBDATE_META = frozenset({"pubdate", "publishdate", "firstpublishedtime", "article:published_time", "dc.date",
                          "dcterms.issued"})
_EARLIEST_PLAUSIBLE = date(1990, 1, 1)


@dataclass(frozen=True, slots=True)
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


# A date written in Chinese numerals, as official documents date themselves (成文日期
# 二〇二四年三月五日; 〇 often typed as ○ or O).
_CN_DATE = re.compile(r"[〇○零O一二三四五六七八九]{4}\s*年\s*[一二三四五六七八九十]{1,3}\s*月\s*[一二三四五六七八九十]{1,3}\s*日")


def _arabic_dates(text: str) -> str:
    """`text` with its Chinese-numeral dates in digits (cn2an), the rest untouched."""
    if "年" not in text or not _CN_DATE.search(text):
        return text
    import cn2an

    return _CN_DATE.sub(lambda m: str(cn2an.transform(re.sub("[○零O]", "〇", m.group(0)), "cn2an")), text)


def full_dates(text: str) -> list[date]:
    """Every complete date written in `text` (in digits or in Chinese numerals)."""
    found = []
    for match in _FULL.finditer(_arabic_dates(normalise(text))):
        value = _make(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        if value:
            found.append(value)
    return found


def looks_like_date(text: str) -> bool:
    """True when `text` carries something date-shaped, readable or not."""
    return _DATE_LIKE.search(normalise(text)) is not None


def first_date(text: str, *, today: date, year_hint: int | None = None) -> FoundDate | None:
    """The first date in a list row's text: complete (also as split day / year-month
    blocks), or month-day with a year from the heading above it or, failing that, the most
    recent such date not after `today` (a guess: source list_inferred_year)."""
    text = normalise(text)
    full = _FULL.search(text)
    if full:
        value = _make(int(full.group(1)), int(full.group(2)), int(full.group(3)))
        if value:
            return FoundDate(value, "list", full.group(0))
    split = _DAY_YEAR_MONTH.search(text)
    if split:
        value = _make(int(split.group(2)), int(split.group(3)), int(split.group(1)))
        if value:
            return FoundDate(value, "list", split.group(0))
    split = _YEAR_MONTH_DAY.search(text)
    if split:
        value = _make(int(split.group(1)), int(split.group(2)), int(split.group(3)))
        if value:
            return FoundDate(value, "list", split.group(0))
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
def _label_patterns(labels: tuple[str, ...]) -> list[tuple[str, re.Pattern[str]]]:
    # A label is not the tail of a longer one (预发布时间, 成文日期 for 日期).
    return [(label, re.compile(r"(?<![预成印施废修])" + re.escape(label) + r"\s*[:：﹕]?\s*")) for label in labels]


def labelled_date(text: str, labels: tuple[str, ...] = _LABELS) -> FoundDate | None:
    """A date written right after one of `labels` in the visible text."""
    # The labels are CJK words NFKC leaves alone: found in the raw text, and only the few
    # characters after each are normalised (a whole page's NFKC is the costly part).
    for label, pattern in _label_patterns(labels):
        for match in pattern.finditer(text):
            following = normalise(text[match.end(): match.end() + 48])[:24]
            full = _FULL.match(following)
            if full:
                value = _make(int(full.group(1)), int(full.group(2)), int(full.group(3)))
                if value:
                    return FoundDate(value, "label", label + full.group(0))
    return None


def meta_date(tree: Any) -> FoundDate | None:
    for meta in tree.iter("meta"):
        name = (meta.get("name") or meta.get("property") or "").lower()
        if name in PUBDATE_META:
            dates = full_dates(meta.get("content") or "")
            if dates:
                return FoundDate(dates[0], "meta", meta.get("content") or "")
    return None


def article_date(tree: Any, url: str, text: str) -> FoundDate | None:
    """The publication date of an article page, from the most reliable source present:
    a date labelled 发布日期 (or the like) in the visible text `text` (what a reader sees;
    a PubDate meta is often a later re-publication time), the PubDate meta, a generic 日期
    label, the URL."""
    return (labelled_date(text) or meta_date(tree) or labelled_date(text, _GENERIC_LABELS)
            or url_date(url))
