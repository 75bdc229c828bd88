"""A precision corpus for content.wording (#33): ordinary government sentences in which the
characters of every shipped wrong form stand across the boundary of two correct words
("统计画像" holds 计画), none of which may be reported; and seeded sentences in which the
wrong form stands as a word of its own, every one of which must be.

The words are common words of jieba's dictionary (the segmenter the rule uses), chosen so
that one ends with the first part of a wrong form and the next starts with the rest; the
sentences are our own, in the vocabulary of government pages. Deterministic: the same
sentences every run.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

from govaudit.checks.content.dictionary import Entry

_FRAMES = ("我区召开{x}专题会议。", "各单位要做好{x}相关工作。", "本次{x}工作已按计划完成。", "会议听取了{x}情况汇报。",
           "关于加强{x}管理的通知。", "请各部门及时报送{x}材料。")
_SEEDED_FRAMES = ("本年度{x}已经公布，请各单位遵照执行。", "有关{x}的说明如下。", "{x}相关事项按规定办理。")
_MIN_FREQ = 50         # words in common use
_PER_SPLIT = 40        # words on each side of one split of one wrong form


@dataclass(frozen=True)
class Sentence:
    text: str
    wrong: str           # the wrong form it holds
    seeded: bool         # True: it stands as a word and must be found; False: across words, never


def _words(tokenizer: object) -> list[str]:
    freq = tokenizer.FREQ  # type: ignore[attr-defined]
    return sorted((w for w, f in freq.items() if f >= _MIN_FREQ and 2 <= len(w) <= 3
                   and all("\u4e00" <= c <= "\u9fff" for c in w)), key=lambda w: (-freq[w], w))


def sentences(entries: tuple[Entry, ...]) -> Iterator[Sentence]:
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    words = _words(tokenizer)
    for entry in entries:
        wrong = entry.wrong
        for split in range(1, len(wrong)):
            head, tail = wrong[:split], wrong[split:]
            before = [w for w in words if w.endswith(head) and w != head and wrong not in w][:_PER_SPLIT]
            after = [w for w in words if w.startswith(tail) and w != tail and wrong not in w][:_PER_SPLIT]
            for (a, b), frame in zip(itertools.product(before, after), itertools.cycle(_FRAMES)):
                text = frame.format(x=a + b)
                if not any(exception in text for exception in entry.exceptions):
                    yield Sentence(text, wrong, seeded=False)
        for frame in _SEEDED_FRAMES:
            yield Sentence(frame.format(x=wrong), wrong, seeded=True)
