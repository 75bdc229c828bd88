"""report.json's document (schema govaudit.report/1), the one source both reports render.

Field names and shapes are the contract of ../shared/spec/interface.md: add, never rename.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from checks.base import Finding, NotChecked
from checks.runner import RuleResults
from checks.verdict import Verdict
from crawler.snapshot import SiteSnapshot

SCHEMA = "govaudit.report/1"


@dataclass(frozen=True)
class RunInfo:
    id: str
    started_at: str
    finished_at: str
    today: str


@dataclass
class SiteReport:
    snapshot: SiteSnapshot
    results: RuleResults
    verdict: Verdict
    stats: dict[str, Any]


@cache
def plan_tasks() -> dict[str, dict[str, str]]:
    text = resources.files("checks.data").joinpath("plan_tasks.toml").read_text("utf-8")
    return tomllib.loads(text)["tasks"]


def site_stats(snapshot: SiteSnapshot, duration_s: float) -> dict[str, Any]:
    targets = {link.url for page in snapshot.pages.values() for link in page.links}
    checked = {u for u in targets if snapshot.outcome_of(u) is not None}
    outcomes = [p.fetch for p in snapshot.pages.values()] + list(snapshot.link_checks.values())
    return {
        "pages": len(snapshot.pages),
        "links_checked": len(checked),
        "errors": sum(1 for o in outcomes if o.error is not None),
        "duration_s": round(duration_s, 1),
    }


def finding_json(finding: Finding, unit: str) -> dict[str, Any]:
    task = plan_tasks().get(finding.task or "", {})
    return {
        "rule": finding.rule,
        "severity": finding.severity.value,
        "task": finding.task,
        "basis": finding.basis,
        "url": finding.url,
        "message": finding.message,
        "evidence": dict(finding.evidence),
        # additions to the contract's fields
        "title": finding.title,
        "severity_label": finding.severity.label,
        "unit": unit,
        "task_lead": task.get("lead"),
    }


def not_checked_json(item: NotChecked) -> dict[str, Any]:
    return {"rule": item.rule, "reason": item.reason, "url": item.url}


def site_json(report: SiteReport) -> dict[str, Any]:
    snapshot = report.snapshot
    return {
        "name": snapshot.name,
        "url": snapshot.start_url,
        "unit": snapshot.unit,
        "verdict": report.verdict.verdict,
        "score": report.verdict.score,
        "stats": report.stats,
        "findings": [finding_json(f, snapshot.unit) for f in report.results.findings],
        "not_checked": [not_checked_json(n) for n in report.results.not_checked],
        "kind": snapshot.kind,
        "vetoed_by": list(report.verdict.vetoed_by),
        "deductions": [{"rule": d.rule, "findings": d.findings, "points": d.points}
                       for d in report.verdict.deductions],
        "crawl_notes": [{"kind": n.kind, "detail": n.detail, "urls": list(n.urls)}
                        for n in snapshot.notes],
    }


def build_document(run: RunInfo, sites: list[SiteReport], tool_version: str) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "tool_version": tool_version,
        "run": {"id": run.id, "started_at": run.started_at, "finished_at": run.finished_at,
                "today": run.today},
        "sites": [site_json(site) for site in sites],
    }
