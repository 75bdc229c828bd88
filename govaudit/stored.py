"""A stored snapshot's pages, read from the store as they are used.

`StoredPages` is the Mapping[str, PageRecord] a SiteSnapshot holds once its pages are in the
store: iteration streams the rows in crawl order, a lookup reads one row, nothing is kept;
so judging a 50,000-page site holds one page at a time, not the site. `StoredBodies` reads
a page's whole body for the few rules that need one. Both open their own read-only
connection (WAL: readers never block the writer) and pickle as (path, run, site).
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cattrs.preconf.json

from govaudit.crawler.bodies import decompress
from govaudit.crawler.snapshot import FetchOutcome, Link, PageRecord, SiteSnapshot

# (stored facts text or None, the page's record, a reader of its body) -> the facts rules read
FactsReader = Callable[[str | None, PageRecord, Callable[[], str | None]], object]

_converter = cattrs.preconf.json.make_converter()
_RECORD_FIELDS = frozenset(f.name for f in dataclasses.fields(PageRecord)) - {"fetch", "links", "skipped_links", "facts"}


@dataclass(frozen=True)
class StoredRow:
    """One page as the store writes it."""

    record: PageRecord
    html: bytes | None          # compressed (crawler.bodies)
    rendered: bytes | None
    facts: str | None           # checks.facts.dump_facts


def record_meta(record: PageRecord) -> dict[str, Any]:
    meta = {name: getattr(record, name) for name in _RECORD_FIELDS}
    meta["fetch"] = _converter.unstructure(record.fetch)
    meta["links"] = [[link.url, link.tag, link.text] for link in record.links]
    meta["skipped_links"] = [list(pair) for pair in record.skipped_links]
    return meta


def record_of(meta: dict[str, Any], facts: object = None) -> PageRecord:
    """A PageRecord from its stored meta (also rows written by earlier versions)."""
    entries = meta.get("links", ())
    if entries and isinstance(entries[0], dict):   # rows written before schema 5
        entries = [[e["url"], e["tag"], e.get("text", "")] for e in entries]
    links = tuple(itertools.starmap(Link, entries))
    return PageRecord(fetch=_converter.structure(meta["fetch"], FetchOutcome), links=links,
                      skipped_links=tuple((str(a), str(b)) for a, b in meta.get("skipped_links", ())),
                      facts=facts, **{k: v for k, v in meta.items() if k in _RECORD_FIELDS})


class _Reader:
    def __init__(self, path: Path, run_id: str, site: str) -> None:
        self.path, self.run_id, self.site = path, run_id, site
        self._db: sqlite3.Connection | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_db": None}

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            self._db = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
        return self._db

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def __del__(self) -> None:
        self.close()


class StoredBodies(_Reader):
    def html(self, url: str) -> str | None:
        return self._body(url, "html")

    def document(self, url: str) -> str | None:
        return self._body(url, "rendered") or self._body(url, "html")

    def _body(self, url: str, column: str) -> str | None:
        row = self.db.execute(f"SELECT {column} FROM pages WHERE run_id = ? AND site = ? AND url = ?",  # noqa: S608
                              (self.run_id, self.site, url)).fetchone()
        return decompress(row[0]) if row is not None and row[0] is not None else None


class StoredPages(_Reader, Mapping[str, PageRecord]):
    def __init__(self, path: Path, run_id: str, site: str, facts: FactsReader | None = None) -> None:
        super().__init__(path, run_id, site)
        self.facts = facts
        self.bodies = StoredBodies(path, run_id, site)

    def __repr__(self) -> str:
        return f"<StoredPages {self.site!r} of run {self.run_id}>"

    def close(self) -> None:
        super().close()
        self.bodies.close()

    def __getitem__(self, url: str) -> PageRecord:
        row = self.db.execute("SELECT url, meta, facts FROM pages WHERE run_id = ? AND site = ? AND url = ?",
                              (self.run_id, self.site, url)).fetchone()
        if row is None:
            raise KeyError(url)
        return self._record(*row)

    def __contains__(self, url: object) -> bool:
        return isinstance(url, str) and self.db.execute(
            "SELECT 1 FROM pages WHERE run_id = ? AND site = ? AND url = ?", (self.run_id, self.site, url)).fetchone() is not None

    def __len__(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM pages WHERE run_id = ? AND site = ?",
                                   (self.run_id, self.site)).fetchone()[0])

    def __iter__(self) -> Iterator[str]:
        for (url,) in self.db.execute("SELECT url FROM pages WHERE run_id = ? AND site = ? ORDER BY seq",
                                      (self.run_id, self.site)):
            yield url

    def values(self) -> Iterator[PageRecord]:  # type: ignore[override]
        for row in self._rows():
            yield self._record(*row)

    def items(self) -> Iterator[tuple[str, PageRecord]]:  # type: ignore[override]
        for row in self._rows():
            yield row[0], self._record(*row)

    def _rows(self) -> Iterator[tuple[str, str, str | None]]:
        # A cursor of its own: other lookups may run while this one is being read.
        yield from self.db.cursor().execute(
            "SELECT url, meta, facts FROM pages WHERE run_id = ? AND site = ? ORDER BY seq", (self.run_id, self.site))

    def _record(self, url: str, meta: str, facts: str | None) -> PageRecord:
        record = record_of(json.loads(meta))
        if self.facts is None:
            return record
        return dataclasses.replace(record, facts=self.facts(facts, record, lambda: self.bodies.document(url)))


def with_stored_pages(snapshot: SiteSnapshot, path: Path, run_id: str, facts: FactsReader | None = None) -> SiteSnapshot:
    pages = StoredPages(path, run_id, snapshot.name, facts)
    snapshot.pages, snapshot.bodies = pages, pages.bodies
    return snapshot

