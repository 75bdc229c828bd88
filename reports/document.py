"""report.json's document (schema govaudit.report/1), the one source both reports render.

Field names and shapes are the contract of ../shared/spec/interface.md: add, never rename.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from govaudit.checks.base import Finding, NotChecked
from govaudit.checks.runner import RuleResults
from govaudit.checks.verdict import Verdict
from govaudit.crawler.snapshot import SiteSnapshot

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
    views: dict[str, Any] = field(default_factory=dict)   # report tables built by checks (pure)

    def __repr__(self) -> str:  # short, as SiteSnapshot's
        return f"<SiteReport {self.snapshot!r} findings={len(self.results.findings)}>"


def site_stats(snapshot: SiteSnapshot, duration_s: float) -> dict[str, Any]:
    targets: set[str] = set()
    crawled: set[str] = set()
    errors = sum(1 for o in snapshot.link_checks.values() if o.error is not None)
    for page in snapshot.pages.values():   # one pass: a stored snapshot is read as it goes
        crawled.add(page.url)
        errors += page.fetch.error is not None
        targets.update(link.url for link in page.links)
    return {
        "pages": len(crawled),
        "links_checked": sum(1 for u in targets if u in crawled or u in snapshot.link_checks),
        "errors": errors,
        "duration_s": round(duration_s, 1),
    }


def finding_json(finding: Finding, unit: str) -> dict[str, Any]:
    """A finding as judged; its plan task and review are added when the run is read
    (reports/annotate.py), so they follow the office's current plan and marks."""
    return {
        "rule": finding.rule,
        "severity": finding.severity.value,
        "task": None,
        "basis": finding.basis,
        "url": finding.url,
        "message": finding.message,
        "evidence": dict(finding.evidence),
        # additions to the contract's fields
        "title": finding.title,
        "severity_label": finding.severity.label,
        "unit": unit,
        "task_lead": None,
        "advice": finding.advice,
        "on_homepage": finding.on_homepage,
    }


def not_checked_json(item: NotChecked) -> dict[str, Any]:
    return {"rule": item.rule, "reason": item.reason, "url": item.url}


def ipv6_summary(snapshot: SiteSnapshot, findings: list[Finding]) -> dict[str, Any]:
    """The site's IPv6 standing for the report and the multi-site summary:
    支持 / 部分支持 / 不支持 / 未检查, with the measurements behind it."""
    probe = snapshot.ipv6
    if probe is None:
        return {"status": "未检查"}
    rules = {f.rule for f in findings}
    site_dns = probe.host_dns(probe.site_host)
    v6_answered = any(f.family == "ipv6" and f.answered and (f.status or 0) < 500 for f in probe.fetches)
    if rules & {"ipv6.no_aaaa", "ipv6.unreachable"}:
        status = "不支持"
    elif rules & {"ipv6.content_mismatch", "ipv6.depth"}:
        status = "部分支持"
    elif v6_answered:
        status = "支持"
    else:
        status = "未检查"
    levels = {}
    found = dict(probe.depth_found)
    for level, name in ((2, "level2"), (3, "level3")):
        supported, tested, rate = probe.depth_rate(level)
        levels[name] = {"supported": supported, "tested": tested, "found": found.get(level, 0), "rate": rate}
    return {
        "status": status,
        "host": probe.site_host,
        "a": list(site_dns.a.records) if site_dns else [],
        "aaaa": list(site_dns.aaaa.records) if site_dns else [],
        "aaaa_status": site_dns.aaaa.status if site_dns else None,
        "depth": levels,
        "fetches": [{"url": f.url, "family": f.family, "address": f.address, "status": f.status,
                     "error": f.error, "size": f.size, "connect_s": f.connect_s,
                     "first_byte_s": f.first_byte_s, "total_s": f.total_s} for f in probe.fetches],
        "difference": probe.difference,
        "first_differences": list(probe.first_differences),
        "comparison_note": probe.comparison_note,
        "zone": probe.zone,
        "nameservers": [{"name": ns.host, "aaaa": list(ns.aaaa.records), "aaaa_status": ns.aaaa.status}
                        for ns in probe.nameservers],
        "resource_hosts_without_aaaa": [h.host for h in probe.resource_hosts if h.aaaa.is_definite_absence],
    }


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
        # Veto rules that could not decide: 合格 means "no veto among those checked".
        "vetoes_not_checked": list(report.verdict.vetoes_not_checked),
        "deductions": [{"rule": d.rule, "findings": d.findings, "points": d.points}
                       for d in report.verdict.deductions],
        "crawl_notes": [{"kind": n.kind, "detail": n.detail, "urls": list(n.urls)}
                        for n in snapshot.notes],
        "ipv6": ipv6_summary(snapshot, report.results.findings),
        **report.views,
    }


def build_document(run: RunInfo, sites: list[SiteReport], tool_version: str) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "tool_version": tool_version,
        "run": {"id": run.id, "started_at": run.started_at, "finished_at": run.finished_at,
                "today": run.today},
        "sites": [site_json(site) for site in sites],
    }
