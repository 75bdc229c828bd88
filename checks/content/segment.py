"""Whether a matched wrong form stands on word boundaries (jieba), so that two correct words
that happen to meet ("统计画像" holds 计画, "记录象征" holds 录象) are never read as a
misspelling, while a wrong form of several words ("张三市长" for 张三副市长) still counts.

Chinese has no spaces: the Aho-Corasick pass finds every occurrence of a wrong form, and
only around those hits is the text segmented. Each list's wrong forms are added to the
segmenter's dictionary with the frequency of their right form, so a real misspelling
("工作计画") still segments as one word while a form made of the ends of two real words
does not. The segmenter loads its dictionary (about a second) on the first hit only.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from typing import Any

_WINDOW = 12           # characters of context segmented on each side of a hit
_FLOOR_FREQ = 10       # a wrong form whose right form jieba does not know


class Segmenter:
    def __init__(self, forms: Iterable[tuple[str, str]]) -> None:
        self._forms = tuple(forms)          # (wrong, right)
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
                    for wrong, right in self._forms:
                        tokenizer.add_word(wrong, freq=max(tokenizer.FREQ.get(right) or 0, _FLOOR_FREQ))
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
