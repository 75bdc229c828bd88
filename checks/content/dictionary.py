"""Word lists matched in page text (content.wording, content.sensitive_names): one
Aho-Corasick automaton (pyahocorasick) per list, so thousands of entries cost one pass over
a page. Text is NFKC-normalised first (the page reader's nodes already are; the entries are
normalised here).

False-alarm guards: an entry's `exceptions` (longer correct words containing the wrong form)
silence a hit inside them; in a list of wrong forms a hit counts only where it stands as a
word (checks/content/segment.py: "统计画像" holds 计画 across two words); an entry's
`context` words must stand in the hit's sentence and its `not_context` words must not; a
sentence that quotes a correction (“应为”, 更正, 勘误) is a correction, not the error.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import ahocorasick

from govaudit.checks.content.segment import Segmenter
from govaudit.checks.pagetext import nfkc

_CORRECTIONS = ("应为", "应是", "更正", "勘误", "误为", "误写", "订正", "纠正为")
_SENTENCE_END = re.compile(r"[。！？!?；;\n]")
_SENTENCE_MAX = 60


class ListError(ValueError):
    """A word list that cannot be used (its Chinese message names the file and entry)."""


@dataclass(frozen=True)
class Entry:
    wrong: str
    right: str = ""
    category: str = ""
    source: str = ""
    severe: bool = False
    exceptions: tuple[str, ...] = ()
    note: str = ""
    context: tuple[str, ...] = ()       # one of these must stand in the sentence
    not_context: tuple[str, ...] = ()   # none of these may


@dataclass(frozen=True)
class Hit:
    entry: Entry
    sentence: str


@dataclass
class WordList:
    entries: tuple[Entry, ...]
    segmented: bool = False        # wrong forms (not names): a hit must stand as a word
    _automaton: Any = field(default=None, repr=False)
    _segmenter: Segmenter | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.segmented:
            self._segmenter = Segmenter(entry.wrong for entry in self.entries)
        automaton = ahocorasick.Automaton()
        for entry in self.entries:
            automaton.add_word(entry.wrong, entry)
        if self.entries:
            automaton.make_automaton()
        self._automaton = automaton

    def find(self, text: str) -> Iterator[Hit]:
        """Every guarded hit in `text` (NFKC already), with its sentence."""
        if not self.entries:
            return
        for end, entry in self._automaton.iter(text):
            start = end - len(entry.wrong) + 1
            if _inside_exception(text, start, end + 1, entry.exceptions):
                continue
            if self._segmenter is not None and not self._segmenter.stands_as_word(text, start, end + 1):
                continue
            sentence = sentence_around(text, start, end + 1)
            if any(word in sentence for word in _CORRECTIONS) or not _in_context(entry, sentence):
                continue
            yield Hit(entry, sentence)


def _in_context(entry: Entry, sentence: str) -> bool:
    if entry.context and not any(word in sentence for word in entry.context):
        return False
    return not any(word in sentence for word in entry.not_context)


def _inside_exception(text: str, start: int, end: int, exceptions: tuple[str, ...]) -> bool:
    for word in exceptions:
        window = text[max(0, end - len(word)):start + len(word)]
        offset = window.find(word)
        while offset != -1:
            absolute = max(0, end - len(word)) + offset
            if absolute <= start and absolute + len(word) >= end:
                return True
            offset = window.find(word, offset + 1)
    return False


def sentence_around(text: str, start: int, end: int) -> str:
    left = max((m.end() for m in _SENTENCE_END.finditer(text, max(0, start - _SENTENCE_MAX), start)), default=None)
    left = left if left is not None else max(0, start - _SENTENCE_MAX)
    right_match = _SENTENCE_END.search(text, end, end + _SENTENCE_MAX)
    right = right_match.end() if right_match else min(len(text), end + _SENTENCE_MAX)
    return text[left:right].strip()


def load_entries(text: str, source: str, *, names: bool = False) -> tuple[Entry, ...]:
    """Entries of a list file ([[entries]] wrong/right/category/source/list/exceptions, or for
    names [[names]] name/note); a bad file is a ListError naming it and the entry."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ListError(f"{source}：TOML 语法错误：{exc}") from None
    key = "names" if names else "entries"
    items = raw.get(key, [])
    if not isinstance(items, list):
        raise ListError(f"{source}：应写成 [[{key}]] 表数组")
    entries = []
    for index, item in enumerate(items):
        where = f"{source} 第 {index + 1} 个 [[{key}]]"
        word = item.get("name" if names else "wrong") if isinstance(item, dict) else None
        if not isinstance(word, str) or len(nfkc(word).strip()) < 2:
            raise ListError(f"{where}：{'name' if names else 'wrong'} 应为至少 2 个字的字符串")
        if names:
            entries.append(Entry(wrong=nfkc(word).strip(), note=str(item.get("note", ""))))
            continue
        if item.get("list", "其他") not in ("严重", "其他"):
            raise ListError(f"{where}：list 应为“严重”或“其他”")
        if not item.get("source"):
            raise ListError(f"{where}：每个条目都要写明来源（source）")
        exceptions = item.get("exceptions", [])
        if not isinstance(exceptions, list) or not all(isinstance(e, str) and word in e for e in exceptions):
            raise ListError(f"{where}：exceptions 应为包含错误写法的正确词语列表")
        context = {key: item.get(key, []) for key in ("context", "not_context")}
        for key, words in context.items():
            if not isinstance(words, list) or not all(isinstance(w, str) and w.strip() for w in words):
                raise ListError(f"{where}：{key} 应为词语列表")
        entries.append(Entry(wrong=nfkc(word).strip(), right=str(item.get("right", "")), category=str(item.get("category", "")),
                             source=str(item["source"]), severe=item.get("list") == "严重",
                             exceptions=tuple(nfkc(e) for e in exceptions),
                             context=tuple(nfkc(w) for w in context["context"]),
                             not_context=tuple(nfkc(w) for w in context["not_context"])))
    return tuple(entries)


@cache
def shipped_wording() -> tuple[Entry, ...]:
    text = resources.files("govaudit.checks.data").joinpath("wording.toml").read_text("utf-8")
    return load_entries(text, "govaudit/checks/data/wording.toml")


@cache
def _file_entries(path: str, stamp: int, names: bool) -> tuple[Entry, ...]:
    return load_entries(Path(path).read_text(encoding="utf-8"), path, names=names)


def file_entries(path: str, *, names: bool = False) -> tuple[Entry, ...]:
    """The entries of the office's list file (read again when it changes)."""
    try:
        stamp = Path(path).stat().st_mtime_ns
    except OSError as exc:
        raise ListError(f"无法读取词表文件 {path}：{exc.strerror}") from None
    return _file_entries(path, stamp, names)


@cache
def word_list(entries: tuple[Entry, ...], *, segmented: bool = False) -> WordList:
    return WordList(entries, segmented)
