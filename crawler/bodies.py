"""Where page bodies wait between the crawl and the store: a temporary file, compressed.

A large site's HTML does not fit in memory next to everything else (20,000 pages of 50 KB
are a gigabyte as Python text), and the rules need only a few whole pages back: each page is
analysed while its parsed tree is alive, then its text moves here until the snapshot is
committed to the store, which copies the compressed bytes as they are.
"""

from __future__ import annotations

import tempfile
import weakref
import zlib
from dataclasses import dataclass
from typing import BinaryIO

COMPRESS_LEVEL = 1   # fast; the store keeps these bytes unchanged


@dataclass(frozen=True)
class BodyRef:
    offset: int
    length: int


class BodySpill:
    """An unnamed temporary file (gone from the disk when closed, or when the snapshot
    holding it is garbage-collected)."""

    def __init__(self) -> None:
        self._file: BinaryIO | None = None
        self._end = 0

    def put(self, text: str) -> BodyRef:
        data = compress(text)
        if self._file is None:
            self._file = tempfile.TemporaryFile(prefix="govaudit-bodies-")
            weakref.finalize(self, self._file.close)
        self._file.seek(self._end)
        self._file.write(data)
        ref = BodyRef(self._end, len(data))
        self._end += len(data)
        return ref

    def compressed(self, ref: BodyRef) -> bytes:
        if self._file is None or self._file.closed:
            raise ValueError("page body read after its snapshot was closed")
        self._file.seek(ref.offset)
        return self._file.read(ref.length)

    def get(self, ref: BodyRef) -> str:
        return decompress(self.compressed(ref))

    def close(self) -> None:
        if self._file is not None:
            self._file.close()


def compress(text: str) -> bytes:
    return zlib.compress(text.encode("utf-8"), COMPRESS_LEVEL)


def decompress(data: bytes) -> str:
    return zlib.decompress(data).decode("utf-8")
