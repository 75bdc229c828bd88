"""Finding identity across runs: a stable fingerprint, and each finding's standing
(新发现 / 仍存在 since / 已整改 when) from the store's history."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from govaudit.crawler.urls import normalize_or_none

# Evidence keys that identify the problem, per rule; otherwise rule + page URL identify it.
_KEYS: dict[str, tuple[str, ...]] = {
    "links.dead": ("link",),
    "identity.site_code": ("seen",), "identity.icp": ("seen",), "identity.police": ("seen",),
    "disclosure.subcolumn_missing": ("which",), "disclosure.statutory_missing": ("item",),
    "disclosure.domain_catalog_missing": ("domain",), "disclosure.guide_incomplete": ("missing",),
    "columns.stale": ("column_url",), "columns.blank": ("column_url",),
    "interaction.unanswered": ("message_url", "title"),
    "ipv6.no_aaaa": ("host",), "ipv6.subresource": ("hosts",),
    "content.wording": ("wrong",), "content.sensitive_names": ("name",),
}


def fingerprint(finding: dict[str, Any]) -> str:
    """rule + normalised URL + the evidence that identifies the problem, hashed."""
    rule = finding["rule"]
    url = normalize_or_none(finding["url"]) or finding["url"]
    evidence = finding.get("evidence", {})
    key = [rule, url] + [_normal(evidence.get(k)) for k in _KEYS.get(rule, ())]
    return hashlib.sha1(json.dumps(key, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()[:16]


def _normal(value: Any) -> Any:
    if isinstance(value, str):
        return normalize_or_none(value) or value
    return value


def standing(row: dict[str, Any], run_id: str) -> str:
    """新发现 / 仍存在 / 已整改 of a history row as of `run_id`."""
    if row["fixed_run"] is not None:
        return "已整改"
    return "新发现" if row["first_run"] == run_id else "仍存在"
