"""Whether a matched wrong form stands on word boundaries (jieba), so that two correct words
that happen to meet ("统计画像" holds 计画, "记录象征" holds 录象) are never read as a
misspelling, while a wrong form of several words ("张三市长" for 张三副市长) still counts.

Chinese has no spaces: the Aho-Corasick pass finds every occurrence of a wrong form, and
only around those hits is the text segmented. Each list's wrong forms are added to the
segmenter's dictionary with a small frequency: a real misspelling ("工作计画") then still
segments as one word (one rare word beats two single characters), while a form made of the
ends of two real words ("会计画派") does not (two real words beat it). The frequency of the
right form was tried first and is too strong: 计划 is so common that 会|计画|派 won. The
segmenter loads its dictionary (about a second) on the first hit only.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from typing import Any

_WINDOW = 12           # characters of context segmented on each side of a hit
_WRONG_FREQ = 10       # see above; 1 to 50 all gave 0 false and 0 missed on tests/support/precision.py


class Segmenter:
    def __init__(self, forms: Iterable[str]) -> None:
        self._forms = tuple(forms)          # the wrong forms
        self._tokenizer: Any = None
        self._lock = threading.Lock()

    def _ready(self) -> Any:
        if self._tokenizer is None:
            with self._lock:
                if self._tokenizer is None:
                    import jieba

                    jieba.setLogLevel(logging.WARNING)
                    tokenizer = jieba.Tokenizer()
                    tokenizer.initialize()
                    for wrong in self._forms:
                        tokenizer.add_word(wrong, freq=_WRONG_FREQ)
                    self._tokenizer = tokenizer
        return self._tokenizer

    def stands_as_word(self, text: str, start: int, end: int) -> bool:
        """Whether text[start:end] begins and ends on word boundaries of its neighbourhood's
        segmentation (no word of the text runs across either end of it)."""
        left = max(0, start - _WINDOW)
        window = text[left:min(len(text), end + _WINDOW)]
        first, last = start - left, end - left
        position = 0
        for token in self._ready().cut(window, HMM=False):
            after = position + len(token)
            if position < first < after or position < last < after:
                return False
            if after >= last:
                return True
            position = after
        return True
