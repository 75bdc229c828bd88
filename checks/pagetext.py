"""A page's visible text, read once and shared: the text nodes of <body> outside script and
style, NFKC-normalised (full-width digits and colons become ASCII), whitespace squeezed."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import lxml.etree

# Joins the nodes for one normalisation call (cheaper than one per node); a control
# character NFKC leaves alone and that blocks composition across nodes.
_SEPARATOR = "\x1f"


# Plain strings, not lxml's "smart" ones that each keep a reference to their element.
BODY_TEXT = lxml.etree.XPath("//body//text()[not(ancestor::script) and not(ancestor::style)]",
                              smart_strings=False)
VISIBLE_TEXT = lxml.etree.XPath(".//text()[not(ancestor::script) and not(ancestor::style)]", smart_strings=False)
# Full-width ASCII forms and the ideographic space: what NFKC changes in ordinary Chinese
# text. The commonest are replaced one by one (str.replace is a C loop; translate is not).
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_COMMON_FULL_WIDTH = tuple((chr(c), chr(_FULL_WIDTH[c])) for c in map(ord, "，：；（）！？\u3000"))
_OTHER_FULL_WIDTH = re.compile("[\uff01-\uff5e]")


def nfkc(text: str) -> str:
    """unicodedata.normalize("NFKC", text), fast on ordinary Chinese text: full-width
    punctuation is mapped exactly as NFKC maps it, and the full normalisation runs only when
    something else would change."""
    if text.isascii():
        return text
    for wide, narrow in _COMMON_FULL_WIDTH:
        if wide in text:
            text = text.replace(wide, narrow)
    if _OTHER_FULL_WIDTH.search(text):
        text = text.translate(_FULL_WIDTH)
    return text if unicodedata.is_normalized("NFKC", text) else unicodedata.normalize("NFKC", text)


def text_nodes(tree: Any) -> list[str]:
    raw = [t.replace(_SEPARATOR, " ") for t in BODY_TEXT(tree) if t.strip()]
    if not raw:
        return []
    return [" ".join(t.split()) for t in nfkc(_SEPARATOR.join(raw)).split(_SEPARATOR)]
