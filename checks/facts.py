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
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cache

import cattrs.preconf.json

from checks.identity.marks import IdentityFacts
from checks.pageread import read_document
from checks.registry import all_analysers
from checks.sitemodel.pagefacts import ModelFacts
from crawler.snapshot import PageRecord

FACTS_VERSION = 1


@dataclass(frozen=True)
class PageFacts:
    version: int
    analysed_for: date                 # the audit's day (list dates without a year are read against it)
    model: ModelFacts | None = None    # checks/sitemodel: article, dates, list items, document metadata
    identity: IdentityFacts | None = None   # checks/identity: the six marks
    blocks: frozenset[int] | None = None    # checks/sitemodel: text block hashes (first pages only)


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
    return cattrs.preconf.json.make_converter()


def facts_reader(today: date) -> Callable[[str | None, PageRecord, Callable[[], str | None]], object]:
    """How a stored snapshot's pages get their facts for a judgement on `today`: the stored
    facts when current, else computed again from the stored body."""
    return functools.partial(_read_facts, today)


def _read_facts(today: date, text: str | None, record: PageRecord, body: Callable[[], str | None]) -> object:
    if not (record.is_html and record.fetch.ok):
        return None
    stored = load_facts(text) if text else None
    if stored is not None and current(stored, today):
        return stored
    try:
        return analyse_page(record, body(), today)
    except Exception:  # noqa: BLE001 - the page stays unanalysed; rules that need it say not_checked
        return None
