"""Personal data in a page's text: 居民身份证号码, mobile numbers in lists of people, bank card
numbers. The `privacy` page analyser keeps only masked numbers and masked context: a full
number never leaves this module (not into the store, the report, the mail or a log).

An ID number is 18 characters that pass every check of GB 11643: a province code of GB/T
2260, a birth date that exists and is not after the audit, the check digit. A number shown
masked on the site (4401**********) is not digits and never matches.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources

from govaudit.checks.base import Analyser
from govaudit.checks.pageread import PageRead

_ID = re.compile(r"(?<![0-9A-Za-z])(\d{17}[0-9Xx])(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d{9})(?!\d)")
_CARD = re.compile(r"(?<![0-9A-Za-z])(\d{16,19})(?![0-9A-Za-z])")
_DIGIT_RUN = re.compile(r"\d{7,}[0-9Xx]?")
_LONG_NUMBER = re.compile(r"\d{11}")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
# What an 18-digit number is when it is labelled so: not an ID number.
_NOT_ID_LABELS = ("订单", "单号", "流水号", "信用代码", "编号", "编码", "账号", "卡号", "批次", "条码", "序列号")
_CARD_LABELS = ("银行卡", "卡号", "银行账号", "个人账户", "个人账号", "账号")
_NOT_PERSONAL_CARD = ("对公", "单位", "财政", "收款", "汇款", "基本户", "专户")
_NOT_LIST_LABELS = ("联系电话", "咨询电话", "服务热线", "值班电话", "监督电话", "举报电话", "联系人")
# Lists whose point is to publish officials' phones (河长公示, 网格员, 值班表): not a leak.
_DUTY_LISTS = ("河长", "湖长", "林长", "网格员", "值班表", "通讯录", "联系表", "负责人", "包保", "驻村")
# A table with a column headed so is a directory of contacts: its numbers are published on
# purpose, whichever column they stand in. A page titled so is a directory as a whole.
# Not when the page or table is about people served or selected (救助对象, 低保, 获奖名单 …)
# or shows ID numbers: that is a list of people, whatever its columns are called.
_CONTACT_HEADERS = ("联系人", "负责人", "联系电话", "值班", "咨询", "办公电话")
_DIRECTORY_TITLES = ("通讯录", "咨询电话", "联系方式", "值班表", "名录", "联系电话")
_PEOPLE_LIST_WORDS = ("救助", "低保", "特困", "困难", "补贴", "补助", "对象", "获奖", "录用", "拟聘", "名单", "身份证")
_LABEL_WINDOW = 12
MIN_LISTED_MOBILES = 3   # fewer (name, mobile) pairs on a page: a contact line, not a list of people


@dataclass(frozen=True, slots=True)
class Hit:
    masked: str        # the number masked (never whole)
    context: str       # the text around it, every long number in it masked


@dataclass(frozen=True, slots=True)
class PrivacyFacts:
    id_numbers: tuple[Hit, ...] = ()
    mobiles: tuple[Hit, ...] = ()
    bank_cards: tuple[Hit, ...] = ()


_NONE = PrivacyFacts()


@cache
def _data() -> dict[str, object]:
    text = resources.files("govaudit.checks.data").joinpath("privacy.toml").read_text("utf-8")
    return tomllib.loads(text)


@cache
def province_codes() -> frozenset[str]:
    return frozenset(_data()["id_number"]["province_codes"])  # type: ignore[index]


@cache
def _surnames() -> frozenset[str]:
    return frozenset(_data()["names"]["surnames"])  # type: ignore[index]


def is_id_number(number: str, today: date) -> bool:
    """Every GB 11643 check: province code, a real birth date not after today, the check digit."""
    if len(number) != 18 or not number[:17].isdigit() or number[:2] not in province_codes():
        return False
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    if born.year < 1900 or born > today:
        return False
    total = sum(int(digit) * weight for digit, weight in zip(number[:17], _ID_WEIGHTS))
    return _ID_CHECK[total % 11] == number[17].upper()


def luhn_valid(number: str) -> bool:
    total = 0
    for index, digit in enumerate(reversed(number)):
        value = int(digit) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def mask(number: str) -> str:
    """4401**********123X; 138****5678 for a mobile number."""
    if len(number) == 11:
        return number[:3] + "****" + number[-4:]
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def _masked_text(text: str) -> str:
    return _DIGIT_RUN.sub(lambda m: mask(m.group(0)) if len(m.group(0)) >= 11 else m.group(0)[:3] + "****", text)


def _context(nodes: list[str], index: int, start: int, end: int) -> str:
    node = nodes[index]
    before = node[max(0, start - 30):start]
    if len(before) < 10 and index > 0:
        before = nodes[index - 1][-20:] + " " + before
    return _masked_text((before + node[start:end] + node[end:end + 30]).strip())


def _label_before(node: str, start: int, previous: str) -> str:
    return (previous[-_LABEL_WINDOW:] + " " + node[max(0, start - _LABEL_WINDOW):start])


def _is_name(text: str) -> bool:
    return 2 <= len(text) <= 4 and text[0] in _surnames() and all("\u4e00" <= c <= "\u9fff" for c in text)


def directory_mobiles(page: PageRead) -> frozenset[str] | None:
    """Mobile numbers the page publishes on purpose: those in a table with a contact column
    (联系人, 联系电话, 值班 …); None when the page itself is a directory (its title says so),
    so that none of its mobiles is a leak. ID numbers are never excused."""
    if any(word in page.title for word in _PEOPLE_LIST_WORDS):
        return frozenset()
    if any(word in page.title for word in _DIRECTORY_TITLES):
        return None
    tree = page.tree
    excused: set[str] = set()
    for table in tree.iter("table") if tree is not None else ():
        if table.find(".//table") is not None:
            continue     # a layout table (old sites nest the whole page in tables): only data tables speak
        rows = table.findall(".//tr")
        header = rows[0] if rows else None
        heads = " ".join(" ".join(cell.itertext()) for cell in header.iter("th", "td")) if header is not None else ""
        text = " ".join(table.itertext())     # cells apart: a number must not run into the next cell
        if any(word in heads for word in _CONTACT_HEADERS) and not any(word in text for word in _PEOPLE_LIST_WORDS):
            excused.update(_MOBILE.findall(text))
    return frozenset(excused)


def scan(nodes: list[str], today: date, excused: frozenset[str] | None = frozenset()) -> PrivacyFacts:
    """`excused`: mobile numbers published on purpose (directory_mobiles); None: all of them."""
    published = excused if excused is not None else frozenset()
    every_mobile_published = excused is None
    if not _LONG_NUMBER.search("\n".join(nodes)):
        return _NONE   # most pages: nothing of 11 digits or more (one C-level pass)
    ids: list[Hit] = []
    mobiles: list[Hit] = []
    cards: list[Hit] = []
    for index, node in enumerate(nodes):
        if not _LONG_NUMBER.search(node):
            continue
        previous = nodes[index - 1] if index else ""
        for match in _ID.finditer(node):
            number = match.group(1)
            label = _label_before(node, match.start(), previous)
            if is_id_number(number, today) and not any(word in label for word in _NOT_ID_LABELS):
                ids.append(Hit(mask(number), _context(nodes, index, match.start(), match.end())))
        for match in _CARD.finditer(node):
            number = match.group(1)
            label = _label_before(node, match.start(), previous)
            if (len(number) != 18 or not is_id_number(number, today)) and luhn_valid(number) \
                    and any(word in label for word in _CARD_LABELS) and not any(w in label for w in _NOT_PERSONAL_CARD):
                cards.append(Hit(mask(number), _context(nodes, index, match.start(), match.end())))
        for match in _MOBILE.finditer(node) if not every_mobile_published else ():
            if match.group(1) in published:
                continue
            neighbours = nodes[max(0, index - 3):index + 2]
            label = _label_before(node, match.start(), previous)
            if any(word in label for word in _NOT_LIST_LABELS):
                continue
            if any(_is_name(n) for n in neighbours) or re.search(r"姓名", label):
                mobiles.append(Hit(mask(match.group(1)), _context(nodes, index, match.start(), match.end())))
    if len({h.masked for h in mobiles}) < MIN_LISTED_MOBILES or any(w in node for node in nodes for w in _DUTY_LISTS):
        mobiles = []
    if not (ids or mobiles or cards):
        return _NONE
    return PrivacyFacts(tuple(ids), tuple(mobiles), tuple(cards))


def analyse_privacy(page: PageRead, today: date) -> PrivacyFacts:
    nodes = page.nodes
    if not _MOBILE.search("\n".join(nodes)):
        return scan(nodes, today)   # (most pages: no mobile number, so no table to read for one)
    return scan(nodes, today, directory_mobiles(page))


ANALYSERS = (Analyser("privacy", analyse_privacy),)
