"""The national law reference library: titles, latest version dates and status.

A CSV of columns title, level, latest_version, in_force_from, status, known_versions (the
shipped snapshot, or a newer export imported by the user). Several rows may share a title
(one per version): they are merged, and the law is repealed only when its latest version is.
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources

COLUMNS = ("title", "level", "latest_version", "in_force_from", "status", "known_versions")
STATUSES = ("现行有效", "已废止", "已修改", "尚未生效")
_BRACKETS = re.compile(r"[（(][^）)]*(修订|修正|公布|施行|版|草案|试行)[^）)]*[）)]")
_PREFIX = "中华人民共和国"
_SUFFIXES = ("全文", "（全文）", "(全文)", "正文", "文本")


class LibraryError(ValueError):
    """A reference file that cannot be used; the message names the line and column."""


def normalise_title(title: str) -> str:
    """《中华人民共和国政府信息公开条例》（2019年修订） -> 政府信息公开条例"""
    text = unicodedata.normalize("NFKC", title)
    text = "".join(text.split())
    text = _BRACKETS.sub("", text)
    text = text.replace("《", "").replace("》", "").replace("<", "").replace(">", "")
    for suffix in _SUFFIXES:
        if text.endswith(unicodedata.normalize("NFKC", suffix)):
            text = text[: -len(unicodedata.normalize("NFKC", suffix))]
    if text.startswith(_PREFIX):
        text = text[len(_PREFIX):]
    return text


@dataclass(frozen=True)
class Law:
    title: str
    level: str
    latest_version: date | None    # None: the source gives no version date (e.g. 民法典 parts)
    in_force_from: date | None
    status: str
    versions: tuple[date, ...]

    @property
    def repealed(self) -> bool:
        return self.status == "已废止"


@dataclass(frozen=True)
class LawLibrary:
    laws: dict[str, Law]          # normalised title -> law
    snapshot_date: date
    source: str

    def find(self, title: str) -> Law | None:
        return self.laws.get(normalise_title(title))

    def __len__(self) -> int:
        return len(self.laws)


def _date(value: str, line: int, column: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise LibraryError(f"第 {line} 行 {column} 列不是 YYYY-MM-DD 日期：{value!r}") from None


def parse_library(text: str, *, snapshot_date: date, source: str) -> LawLibrary:
    """Validate the whole file and build the library; any bad row rejects the file."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(reader, None)
    if header is None or tuple(h.strip() for h in header) != COLUMNS:
        raise LibraryError(f"第 1 行表头应为 {','.join(COLUMNS)}，实际为 {','.join(header or [])}")
    rows: dict[str, list[tuple[str, str, date | None, date | None, str, list[date]]]] = {}
    for line, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(COLUMNS):
            raise LibraryError(f"第 {line} 行应有 {len(COLUMNS)} 列，实际 {len(row)} 列")
        title, level, latest, in_force, status, versions = (cell.strip() for cell in row)
        if not title:
            raise LibraryError(f"第 {line} 行 title 列为空")
        if status not in STATUSES:
            raise LibraryError(f"第 {line} 行 status 列应为 {'/'.join(STATUSES)} 之一，实际为 {status!r}")
        known = [_date(v, line, "known_versions") for v in versions.split(";") if v.strip()]
        rows.setdefault(normalise_title(title), []).append(
            (title, level, _date(latest, line, "latest_version") if latest else None,
             _date(in_force, line, "in_force_from") if in_force else None, status, known))
    if not rows:
        raise LibraryError("文件中没有任何法规记录")
    return LawLibrary({key: _merge(entries) for key, entries in rows.items()}, snapshot_date, source)


def _merge(entries: list[tuple[str, str, date | None, date | None, str, list[date]]]) -> Law:
    versions = sorted({d for e in entries for d in [e[2], *e[5]] if d is not None})
    latest = max(entries, key=lambda e: (e[2] or date.min, e[4] == "现行有效"))
    title, level, _, in_force, status, _ = latest
    return Law(title, level, versions[-1] if versions else None, in_force, status, tuple(versions))


@cache
def shipped_library() -> LawLibrary:
    folder = resources.files("govaudit.checks.data")
    meta = tomllib.loads(folder.joinpath("national-laws-reference.toml").read_text("utf-8"))
    text = folder.joinpath("national-laws-reference.csv").read_text("utf-8")
    return parse_library(text, snapshot_date=meta["snapshot_date"], source=meta["source"])
