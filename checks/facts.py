"""PageFacts: what the rules' page analysers found on one fetched page, the typed value the
store keeps with the page (the boundary between crawling and judging).

Each field is filled by the analyser of that name that a rule area declares (ANALYSERS in
its module, collected by checks.registry). A change to what an analyser computes bumps
FACTS_VERSION: stored facts of another version (or computed for another day) are computed
again from the stored body when a run is judged again.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cache

import cattrs.preconf.json

from govaudit.checks.identity.marks import IdentityFacts
from govaudit.checks.pageread import read_document
from govaudit.checks.privacy.scan import PrivacyFacts
from govaudit.checks.registry import all_analysers
from govaudit.checks.sitemodel.pagefacts import ModelFacts
from govaudit.crawler.snapshot import PageRecord

FACTS_VERSION = 8


@dataclass(frozen=True, slots=True)
class PageFacts:
    version: int
    analysed_for: date                 # the audit's day (list dates without a year are read against it)
    model: ModelFacts | None = None    # checks/sitemodel: article, dates, list items, document metadata
    identity: IdentityFacts | None = None   # checks/identity: the six marks
    blocks: frozenset[int] | None = None    # checks/sitemodel: text block hashes (first pages only)
    privacy: PrivacyFacts | None = None     # checks/privacy: personal numbers found, masked


def analyse_page(record: PageRecord, document: str | None, today: date) -> PageFacts:
    """Every registered analyser on the page (`document`: its rendered DOM or HTML)."""
    page = read_document(record, document)
    if page.tree is None:
        return PageFacts(FACTS_VERSION, today)
    values = {analyser.name: analyser.compute(page, today) for analyser in all_analysers()}
    return PageFacts(FACTS_VERSION, today, **values)


def current(facts: object, today: date) -> bool:
    """Stored facts usable as they are for a judgement on `today`."""
    return isinstance(facts, PageFacts) and facts.version == FACTS_VERSION and facts.analysed_for == today


def dump_facts(facts: PageFacts) -> str:
    return json.dumps(_converter().unstructure(facts), ensure_ascii=False, separators=(",", ":"))


def load_facts(text: str) -> PageFacts | None:
    """Stored facts; None when they are of another version (computed again from the body)."""
    raw = json.loads(text)
    if raw.get("version") != FACTS_VERSION:
        return None
    return _converter().structure(raw, PageFacts)


@cache
def _converter() -> cattrs.Converter:
    fields = {f.name for f in dataclasses.fields(PageFacts)}
    missing = {a.name for a in all_analysers()} ^ (fields - {"version", "analysed_for"})
    if missing:
        raise TypeError(f"PageFacts fields and declared analysers differ: {sorted(missing)}")
    converter = cattrs.preconf.json.make_converter()
    # Short strings repeat across pages (a date's text, a source, 有效): one object each.
    converter.register_structure_hook(str, lambda value, _: sys.intern(value) if len(value) <= _INTERNED else value)
    return converter


_INTERNED = 10


def facts_reader(today: date) -> Callable[[str | None, PageRecord, Callable[[], str | None]], object]:
    """How a stored snapshot's pages get their facts for a judgement on `today`: the stored
    facts when current, else computed again from the stored body."""
    return functools.partial(_read_facts, today)


def _read_facts(today: date, text: str | None, record: PageRecord, body: Callable[[], str | None]) -> object:
    if not (record.is_html and record.fetch.ok):
        return None
    return StoredFacts(today, text, record, body)


class StoredFacts:
    """A stored page's facts, decoded when a rule first reads them (most passes over a
    site's pages read only their links or fetch outcome), or computed again from the stored
    body when they are not current. Reads like PageFacts."""

    __slots__ = ("_today", "_text", "_record", "_body", "_value", "_read")

    def __init__(self, today: date, text: str | None, record: PageRecord, body: Callable[[], str | None]) -> None:
        self._today, self._text, self._record, self._body = today, text, record, body
        self._value: PageFacts | None = None
        self._read = False

    @property
    def value(self) -> PageFacts | None:
        if not self._read:
            self._read = True
            stored = load_facts(self._text) if self._text else None
            if stored is not None and current(stored, self._today):
                self._value = stored
            else:
                try:
                    self._value = analyse_page(self._record, self._body(), self._today)
                except Exception:  # noqa: BLE001 - the page stays unanalysed; rules that need it say not_checked
                    self._value = None
        return self._value

    @property
    def analysed_for(self) -> date | None:
        return self.value.analysed_for if self.value is not None else None

    @property
    def model(self) -> ModelFacts | None:
        return self.value.model if self.value is not None else None

    @property
    def identity(self) -> IdentityFacts | None:
        return self.value.identity if self.value is not None else None

    @property
    def blocks(self) -> frozenset[int] | None:
        return self.value.blocks if self.value is not None else None

    @property
    def privacy(self) -> PrivacyFacts | None:
        return self.value.privacy if self.value is not None else None
