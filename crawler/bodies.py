"""Page bodies as the store keeps them: zlib-compressed UTF-8 (fast level: written once,
read by the few rules that need a whole page)."""

from __future__ import annotations

import zlib

COMPRESS_LEVEL = 1   # fast; the store keeps these bytes unchanged


def compress(text: str) -> bytes:
    return zlib.compress(text.encode("utf-8"), COMPRESS_LEVEL)


def decompress(data: bytes) -> str:
    return zlib.decompress(data).decode("utf-8")
