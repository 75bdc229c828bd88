"""Turning a page's bytes into text: header charset, then <meta charset>, then detection.

GBK and GB2312 are read as GB18030, their superset, because real pages labelled GB2312
routinely contain GBK-only characters. Bad bytes become U+FFFD; decoding never raises.
"""

from __future__ import annotations

import codecs
import re

import charset_normalizer

_META_CHARSET = re.compile(rb"""<meta[^>]{0,300}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_GB_FAMILY = {"gbk", "gb2312", "gb_2312", "gb_2312-80", "x-gbk", "csgb2312", "cp936", "euc-cn",
              "gb18030", "windows-936", "ms936", "chinese"}
_DETECT_BYTES = 100_000


def canonical_encoding(label: str | None) -> str | None:
    """A Python codec name for a charset label, or None when the label is unknown."""
    if not label:
        return None
    name = label.strip().strip("\"'").lower()
    if name in _GB_FAMILY:
        return "gb18030"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def charset_from_content_type(content_type: str | None) -> str | None:
    if not content_type:
        return None
    match = re.search(r"charset\s*=\s*[\"']?([^\s;\"']+)", content_type, re.I)
    return match.group(1) if match else None


def decode_body(body: bytes, content_type: str | None) -> tuple[str, str, str]:
    """-> (text, codec name, source) where source is bom/header/meta/detected/default."""
    for bom, name in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                      (codecs.BOM_UTF16_BE, "utf-16-be")):
        if body.startswith(bom):
            return body[len(bom):].decode(name, errors="replace"), name, "bom"
    encoding = canonical_encoding(charset_from_content_type(content_type))
    if encoding:
        return body.decode(encoding, errors="replace"), encoding, "header"
    meta = _META_CHARSET.search(body[:4096])
    encoding = canonical_encoding(meta.group(1).decode("ascii", "replace")) if meta else None
    if encoding:
        return body.decode(encoding, errors="replace"), encoding, "meta"
    for candidate in ("utf-8", "gb18030"):
        # Mainland government pages are UTF-8 or GBK: when the bytes are valid in one of them,
        # that beats a statistical guess, which misreads short GBK pages.
        try:
            return body.decode(candidate), candidate, "detected"
        except UnicodeDecodeError:
            continue
    best = charset_normalizer.from_bytes(body[:_DETECT_BYTES]).best()
    encoding = canonical_encoding(best.encoding) if best else None
    if encoding:
        return body.decode(encoding, errors="replace"), encoding, "detected"
    return body.decode("utf-8", errors="replace"), "utf-8", "default"
