"""The rule framework: a Rule declares who it is; its check is a pure function of a snapshot.

A rule module `checks/<area>/<name>.py` defines `RULE = Rule(...)` and is found by the
registry by being there. A check yields Findings (made with `RULE.finding(...)`, which
renders the Chinese message from the rule's templates) and NotChecked entries when it
cannot decide. It never does I/O and never guesses.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import TYPE_CHECKING, Any, TypeVar

from govaudit.crawler.snapshot import SiteSnapshot

if TYPE_CHECKING:
    from govaudit.checks.sitemodel.laws import LawLibrary
from govaudit.checks.options import Deduction, RuleOptions
from govaudit.crawler.options import SiteConfig

RULE_ID = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")


class Severity(str, Enum):
    VETO = "veto"
    DEDUCT = "deduct"
    NOTICE = "notice"

    @property
    def label(self) -> str:
        return {"veto": "单项否决", "deduct": "扣分", "notice": "提示"}[self.value]

    @property
    def rank(self) -> int:
        return {"veto": 0, "deduct": 1, "notice": 2}[self.value]


T = TypeVar("T")


class SiteModels:
    """The site-wide models rules share (the column model, the annual reports found), each
    built once per judging of a site by its builder function."""

    def __init__(self) -> None:
        self._built: dict[Callable[..., Any], Any] = {}

    def get(self, build: Callable[[SiteSnapshot, RuleContext], T], snapshot: SiteSnapshot,
            context: RuleContext) -> T:
        if build not in self._built:
            self._built[build] = build(snapshot, context)
        return self._built[build]  # type: ignore[no-any-return]


@dataclass(frozen=True)
class RuleContext:
    """What a check may know besides the snapshot: the date it measures from and settings."""

    today: date
    config: RuleOptions
    site: SiteConfig | None = None
    laws: LawLibrary | None = None   # the national law reference; None: the shipped snapshot
    # Homepage availability probes of the monitoring window from the store, as
    # (when, ok, status, error); None: no probe history available (an on-demand check).
    probes: tuple[tuple[str, bool, int | None, str | None], ...] | None = None
    models: SiteModels = field(default_factory=SiteModels, compare=False, repr=False)

    @property
    def law_library(self) -> LawLibrary:
        from govaudit.checks.sitemodel.laws import shipped_library

        return self.laws or shipped_library()


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: Severity
    basis: str
    title: str
    url: str
    message: str
    evidence: Mapping[str, Any]
    on_homepage: bool = False
    advice: str = ""

    @property
    def area(self) -> str:
        return self.rule.split(".", 1)[0]


@dataclass(frozen=True)
class NotChecked:
    rule: str
    reason: str
    url: str | None = None


Outcome = Finding | NotChecked
CheckFunction = Callable[[SiteSnapshot, RuleContext], Iterable[Outcome]]


@dataclass(frozen=True)
class Analyser:
    """What a rule area needs of every fetched page, computed once while the page's tree is
    alive and stored with the page: `compute(page, today)` gives the value of the
    checks.facts.PageFacts field `name`. Declared in a module's ANALYSERS, collected by
    the registry like the rules."""

    name: str
    compute: Callable[[Any, date], Any] = field(repr=False)


@dataclass(frozen=True)
class Rule:
    id: str
    title: str                      # short Chinese name of the problem
    severity: Severity
    basis: str                      # document and article the rule rests on
    explanation: str                # what the rule checks, for the README and the report
    messages: Mapping[str, str]     # variant -> message template, formatted with evidence
    check: CheckFunction = field(repr=False)
    needs_homepage: bool = True     # with no homepage, the runner reports not_checked
    advice: str = ""                # how a web administrator fixes it (shown in the report)
    # Default points of a deduct rule ([U]: the 19号 values were not read); the office's
    # [scoring.deductions."rule.id"] replaces them rule by rule.
    points: Deduction | None = None
    # What a screenshot of its evidence page shows: "top" (above the fold), "bottom" (the
    # footer), "full" (the whole page); None: no screenshot helps.
    screenshot: str | None = None

    @property
    def area(self) -> str:
        return self.id.split(".", 1)[0]

    def finding(self, url: str, evidence: Mapping[str, Any], *, variant: str = "default",
                on_homepage: bool = False) -> Finding:
        message = self.messages[variant].format_map(_Lenient(evidence))
        return Finding(rule=self.id, severity=self.severity, basis=self.basis,
                       title=self.title, url=url, message=message, evidence=dict(evidence),
                       on_homepage=on_homepage, advice=self.advice)

    def not_checked(self, reason: str, url: str | None = None) -> NotChecked:
        return NotChecked(rule=self.id, reason=reason, url=url)


class _Lenient(dict[str, Any]):
    """format_map source for messages: a missing key shows as empty, a list as 甲、乙."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        super().__init__({k: "、".join(map(str, v)) if isinstance(v, (list, tuple)) else v
                          for k, v in values.items()})

    def __missing__(self, key: str) -> str:
        return ""
