"""What the office adds to a run's findings before anyone reads them: the plan task each
finding answers to (from the configured plan, none without one) and the office's review
(govaudit/review.py). Findings marked 误报, or 暂缓整改 until a date not yet passed, move to
the site's `set_aside` list, and the site's verdict and score are judged again without them.

Pure: the same document, plan and reviews give the same result (report.json, report.html,
the ledger, the notices and the dashboard all read a run through this).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import date
from typing import Any

from govaudit.checks.base import Finding, NotChecked, Severity
from govaudit.checks.options import Scoring
from govaudit.checks.registry import all_rules
from govaudit.checks.verdict import UNDECIDED, judge_site
from govaudit.history import fingerprint
from govaudit.plan import Plan
from govaudit.review import Review

Reviews = Mapping[tuple[str, str], Review]


def annotate_document(document: dict[str, Any], plan: Plan, reviews: Reviews, scoring: Scoring) -> dict[str, Any]:
    today = date.fromisoformat(document["run"]["today"])
    result = {**document, "sites": [annotate_site(entry, plan, reviews, scoring, today) for entry in document["sites"]]}
    result["plan"] = plan_json(plan)
    return result


def plan_json(plan: Plan) -> dict[str, Any] | None:
    if not plan.configured:
        return None
    return {"title": plan.title, "document": plan.document, "issuer": plan.issuer, "year": plan.year,
            "tasks": [{"number": t.number, "summary": t.summary, "lead": t.lead, "rules": list(t.rules)}
                      for t in plan.tasks]}


def annotate_site(entry: dict[str, Any], plan: Plan, reviews: Reviews, scoring: Scoring, today: date) -> dict[str, Any]:
    entry = copy.copy(entry)
    kept: list[dict[str, Any]] = []
    apart: list[dict[str, Any]] = []
    for raw in entry["findings"]:
        finding = with_task({**raw, "fingerprint": raw.get("fingerprint") or fingerprint(raw)}, plan)
        review = reviews.get((entry["name"], finding["fingerprint"]))
        finding["review"] = review.as_json() if review else None
        if review is not None and review.sets_apart(finding, today):
            apart.append(finding)
            continue
        back = review.why_back(finding, today) if review else None
        if back and finding["review"] is not None:
            finding["review"]["returned"] = back
        kept.append(finding)
    entry["findings"] = kept
    entry["set_aside"] = apart
    if apart:
        entry["before_review"] = {"verdict": entry["verdict"], "score": entry["score"]}
        entry.update(_judged_again(entry, kept, scoring))
    return entry


def with_task(finding: dict[str, Any], plan: Plan) -> dict[str, Any]:
    task = plan.task_for(finding["rule"])
    finding.update({"task": task.number if task else None, "task_lead": task.lead if task else None,
                    "task_summary": task.summary if task else None,
                    "task_basis": plan.task_label(task.number) if task else None})
    return finding


def _judged_again(entry: dict[str, Any], kept: list[dict[str, Any]], scoring: Scoring) -> dict[str, Any]:
    """Verdict, score and deductions of the site over the findings still counted."""
    findings = [Finding(rule=f["rule"], severity=Severity(f["severity"]), basis=f["basis"], title=f.get("title", ""),
                        url=f["url"], message=f["message"], evidence=f["evidence"],
                        on_homepage=bool(f.get("on_homepage", f["evidence"].get("on_homepage", False))))
                for f in kept]
    not_checked = [NotChecked(rule=n["rule"], reason=n["reason"], url=n.get("url")) for n in entry["not_checked"]]
    homepage_loaded = not (entry["verdict"] == UNDECIDED and entry["score"] is None)
    verdict = judge_site(findings, homepage_loaded=homepage_loaded, scoring=scoring, rules=all_rules(),
                         not_checked=not_checked)
    return {"verdict": verdict.verdict, "score": verdict.score, "vetoed_by": list(verdict.vetoed_by),
            "vetoes_not_checked": list(verdict.vetoes_not_checked),
            "deductions": [{"rule": d.rule, "findings": d.findings, "points": d.points} for d in verdict.deductions]}
