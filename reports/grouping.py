"""Findings of one rule and one cause shown together: a report of a real site once ran to 242
dead-link cards repeating the same basis, task and unit. A group states those once, counts
its findings and lists them (the pages on demand). Presentation only: report.json keeps one
finding per problem, as the contract says.

Causes: dead links by target host and failure (HTTP status, or the network error); identity
marks by what was seen (the same wrong 网站标识码 across pages is one group); anything else by
rule alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

_SEVERITY_ORDER = {"veto": 0, "deduct": 1, "notice": 2}


@dataclass
class FindingGroup:
    rule: str
    cause: str                          # in Chinese, "" when the rule is the whole cause
    items: list[dict[str, Any]] = field(default_factory=list)

    @property
    def first(self) -> dict[str, Any]:
        return self.items[0]

    @property
    def count(self) -> int:
        return len(self.items)

    @property
    def severity(self) -> str:
        return str(self.first["severity"])

    @property
    def pages(self) -> int:
        """Pages the group's findings were seen on (dead links: the pages linking them)."""
        seen: set[str] = set()
        for item in self.items:
            evidence = item.get("evidence", {})
            seen.update(evidence.get("linked_from") or [item["url"]])
        return len(seen)


def _dead_link_cause(finding: dict[str, Any]) -> str:
    evidence = finding.get("evidence", {})
    host = urlsplit(str(evidence.get("link", ""))).hostname or "（无主机名）"
    status = evidence.get("status")
    failure = f"HTTP {status}" if status else str(evidence.get("error") or evidence.get("seen") or "无法访问")
    return f"{host}：{failure}"


def _seen_cause(finding: dict[str, Any]) -> str:
    seen = finding.get("evidence", {}).get("seen")
    return f"所见：{seen}" if seen else ""


_CAUSES: dict[str, Callable[[dict[str, Any]], str]] = {"links.dead": _dead_link_cause}


def cause_of(finding: dict[str, Any]) -> str:
    rule = str(finding["rule"])
    if rule in _CAUSES:
        return _CAUSES[rule](finding)
    if rule.startswith("identity."):
        return _seen_cause(finding)
    return ""


def group_findings(findings: list[dict[str, Any]]) -> list[FindingGroup]:
    """Groups ordered by severity, then rule, then size (largest first)."""
    groups: dict[tuple[str, str], FindingGroup] = {}
    for finding in findings:
        key = (str(finding["rule"]), cause_of(finding))
        groups.setdefault(key, FindingGroup(*key)).items.append(finding)
    return sorted(groups.values(), key=lambda g: (_SEVERITY_ORDER.get(g.severity, 3), g.rule, -g.count, g.cause))
