"""A stored snapshot's pages, read from the store as they are used.

`StoredPages` is the Mapping[str, PageRecord] a SiteSnapshot holds once its pages are in the
store: iteration streams the rows in crawl order, a lookup reads one row, nothing is kept;
so judging a 50,000-page site holds one page at a time, not the site. `StoredBodies` reads
a page's whole body for the few rules that need one. Both read through the store's engine
(SQLite or PostgreSQL; on SQLite, WAL: readers never block the writer) and pickle as
(store URL, run, site).
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import cattrs.preconf.json
from sqlalchemy import Connection, CursorResult, TextClause, text

from govaudit.crawler.bodies import decompress
from govaudit.crawler.snapshot import FetchOutcome, Link, PageRecord, SiteSnapshot
from govaudit.database import engine_for

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


_PAGE = text("SELECT url, meta, facts FROM pages WHERE run_id = :run AND site = :site AND url = :url")
_HAS_PAGE = text("SELECT 1 FROM pages WHERE run_id = :run AND site = :site AND url = :url")
_COUNT = text("SELECT COUNT(*) FROM pages WHERE run_id = :run AND site = :site")
_URLS = text("SELECT url FROM pages WHERE run_id = :run AND site = :site ORDER BY seq")
_ROWS = text("SELECT url, meta, facts FROM pages WHERE run_id = :run AND site = :site ORDER BY seq")
_BODY = {column: text(f"SELECT {column} FROM pages WHERE run_id = :run AND site = :site AND url = :url")
         for column in ("html", "rendered")}
_STREAM_ROWS = 256


class _Reader:
    """Reads one site's rows of one run; holds a connection while in use (autocommit: no
    transaction stays open) and pickles as (store URL, run, site)."""

    def __init__(self, store: str, run_id: str, site: str) -> None:
        self.store, self.run_id, self.site = store, run_id, site
        self._connection: Connection | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_connection": None}

    @property
    def _key(self) -> dict[str, str]:
        return {"run": self.run_id, "site": self.site}

    def _execute(self, statement: TextClause, **params: str) -> CursorResult[Any]:
        if self._connection is None:
            self._connection = engine_for(self.store).connect().execution_options(isolation_level="AUTOCOMMIT")
        return self._connection.execute(statement, {**self._key, **params})

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def __del__(self) -> None:
        with contextlib.suppress(Exception):   # (at interpreter exit the pool may be gone first)
            self.close()


class StoredBodies(_Reader):
    def html(self, url: str) -> str | None:
        return self._body(url, "html")

    def document(self, url: str) -> str | None:
        return self._body(url, "rendered") or self._body(url, "html")

    def _body(self, url: str, column: str) -> str | None:
        body = self._execute(_BODY[column], url=url).scalar()
        return decompress(body) if body is not None else None


class StoredPages(_Reader, Mapping[str, PageRecord]):
    def __init__(self, store: str, run_id: str, site: str, facts: FactsReader | None = None) -> None:
        super().__init__(store, run_id, site)
        self.facts = facts
        self.bodies = StoredBodies(store, run_id, site)

    def __repr__(self) -> str:
        return f"<StoredPages {self.site!r} of run {self.run_id}>"

    def close(self) -> None:
        super().close()
        self.bodies.close()

    def __getitem__(self, url: str) -> PageRecord:
        row = self._execute(_PAGE, url=url).first()
        if row is None:
            raise KeyError(url)
        return self._record(*tuple(row))

    def __contains__(self, url: object) -> bool:
        return isinstance(url, str) and self._execute(_HAS_PAGE, url=url).first() is not None

    def __len__(self) -> int:
        return int(self._execute(_COUNT).scalar() or 0)

    def __iter__(self) -> Iterator[str]:
        for (url, ) in self._stream(_URLS):
            yield url

    def values(self) -> Iterator[PageRecord]:  # type: ignore[override]
        for row in self._stream(_ROWS):
            yield self._record(*row)

    def items(self) -> Iterator[tuple[str, PageRecord]]:  # type: ignore[override]
        for row in self._stream(_ROWS):
            yield row[0], self._record(*row)

    def _stream(self, statement: TextClause) -> Iterator[tuple[Any, ...]]:
        # A connection of its own, rows fetched in slices (a server-side cursor on
        # PostgreSQL): other lookups may run while this one is read; the site is never held.
        with engine_for(self.store).connect() as connection:
            result = connection.execution_options(stream_results=True, yield_per=_STREAM_ROWS).execute(statement, self._key)
            for row in result:
                yield tuple(row)

    def _record(self, url: str, meta: str, facts: str | None) -> PageRecord:
        record = record_of(json.loads(meta))
        if self.facts is None:
            return record
        return dataclasses.replace(record, facts=self.facts(facts, record, lambda: self.bodies.document(url)))


def with_stored_pages(snapshot: SiteSnapshot, store: str, run_id: str, facts: FactsReader | None = None) -> SiteSnapshot:
    pages = StoredPages(store, run_id, snapshot.name, facts)
    snapshot.pages, snapshot.bodies = pages, pages.bodies
    return snapshot

