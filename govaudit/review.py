"""The office's review of findings (复核), kept across runs by finding fingerprint.

A finding can be marked 已确认 (confirmed), 误报 (false positive, reason required), 暂缓整改
(deferred until a date, reason required) or reopened. Every mark is an event (who, when, why)
and the newest event of a (site, fingerprint) is its state. A 误报 finding and a 暂缓 one whose
date has not passed are set apart: shown on their own, left out of the score, the verdict,
the ledger and the notices. A 暂缓 past its date comes back by itself; a 误报 finding whose
evidence changed since it was marked comes back too (what was judged is no longer what is
seen). Dates are measured against the run's `today`, so a report stays reproducible.

Four eyes: setting aside a 单项否决 (误报 or 暂缓整改) turns a 不合格 site into a 合格 one, so
such a mark is 待批准 (pending) and changes nothing until a second reviewer, not the one who
marked it, approves it (`approve`); rejecting it reopens the finding. A deferral reaches at
most [review] max_defer_days ahead.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import Enum
from typing import Any

# Evidence that changes from run to run without the problem changing: timings, retries and
# the list of pages that link to it. Everything else is what a reviewer judged.
_VOLATILE = frozenset({"checked_at", "attempts", "tries", "elapsed_s", "linked_from", "linked_from_count", "pages",
                       "pages_affected", "pages_checked", "examples", "connect_s", "total_s", "first_byte_s",
                       "ratio", "measures", "thumbnail", "screenshot"})


class ReviewState(str, Enum):
    CONFIRMED = "confirmed"
    FALSE_POSITIVE = "false_positive"
    DEFERRED = "deferred"
    OPEN = "open"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {ReviewState.CONFIRMED: "已确认", ReviewState.FALSE_POSITIVE: "误报", ReviewState.DEFERRED: "暂缓整改",
           ReviewState.OPEN: "重新打开"}


PENDING = "pending"
APPROVED = "approved"


class ReviewError(ValueError):
    """A review that cannot be recorded (its Chinese message says why)."""


@dataclass(frozen=True)
class Review:
    site: str
    fingerprint: str
    state: ReviewState
    reason: str
    user: str
    at: str                      # ISO-8601 time of the mark
    until: str | None = None     # 暂缓整改: the last day it is set apart (YYYY-MM-DD)
    digest: str = ""             # evidence_digest of the finding when it was marked
    rule: str = ""
    url: str = ""
    title: str = ""
    account: str = ""            # the login name of who marked it (user is the name shown)
    approval: str = ""           # "" (none needed), PENDING or APPROVED
    approver: str = ""           # who approved it (the name shown)

    @property
    def pending(self) -> bool:
        return self.approval == PENDING

    def sets_apart(self, finding: dict[str, Any], today: date) -> bool:
        """Whether this review keeps `finding` out of the score, ledger and notices on `today`."""
        if self.pending:
            return False
        if self.state is ReviewState.FALSE_POSITIVE:
            return not self.digest or self.digest == evidence_digest(finding)
        if self.state is ReviewState.DEFERRED:
            return self.until is not None and today <= date.fromisoformat(self.until)
        return False

    def why_back(self, finding: dict[str, Any], today: date) -> str | None:
        """Why a set-apart mark no longer holds, in Chinese; None when it holds or never did
        (a mark still waiting for approval never held)."""
        if self.pending:
            return None
        if self.state is ReviewState.FALSE_POSITIVE and not self.sets_apart(finding, today):
            return "曾标记为误报，但检查所见已变化，重新列为问题"
        if self.state is ReviewState.DEFERRED and not self.sets_apart(finding, today):
            return f"暂缓整改期限（{self.until}）已过，重新列为问题"
        return None

    def as_json(self) -> dict[str, Any]:
        label = f"{self.state.label}（待批准）" if self.pending else self.state.label
        return {"state": self.state.value, "label": label, "reason": self.reason, "user": self.user,
                "at": self.at, "until": self.until, "approval": self.approval or None, "approver": self.approver or None}


def new_review(site: str, fingerprint: str, finding: dict[str, Any] | None, state: ReviewState, *, reason: str,
               user: str, at: str, until: date | None = None, today: date | None = None, account: str = "",
               max_defer_days: int | None = None) -> Review:
    """A validated mark: 误报 and 暂缓 need a reason, 暂缓 a date not in the past and at most
    max_defer_days ahead; setting aside a 单项否决 waits for a second reviewer's approval."""
    reason = reason.strip()
    if state in (ReviewState.FALSE_POSITIVE, ReviewState.DEFERRED) and not reason:
        raise ReviewError(f"标记为“{state.label}”须填写理由")
    if len(reason) > 2000:
        raise ReviewError("理由过长（最多 2000 字）")
    if state is ReviewState.DEFERRED:
        _check_deferral(until, today, max_defer_days)
    if not user.strip():
        raise ReviewError("须注明复核人")
    finding = finding or {}
    vetoes = finding.get("severity") == "veto" and state in (ReviewState.FALSE_POSITIVE, ReviewState.DEFERRED)
    return Review(site=site, fingerprint=fingerprint, state=state, reason=reason, user=user.strip(), at=at,
                  until=until.isoformat() if state is ReviewState.DEFERRED and until else None,
                  digest=evidence_digest(finding) if finding else "", rule=str(finding.get("rule", "")),
                  url=str(finding.get("url", "")), title=str(finding.get("title", "")),
                  account=(account or user).strip(), approval=PENDING if vetoes else "")


def _check_deferral(until: date | None, today: date | None, max_days: int | None) -> None:
    if until is None:
        raise ReviewError("暂缓整改须填写截止日期")
    if today is not None and until < today:
        raise ReviewError(f"暂缓整改的截止日期 {until} 早于今天 {today}")
    if today is not None and max_days is not None and (until - today).days > max_days:
        raise ReviewError(f"暂缓整改最长 {max_days} 天（至 {today + timedelta(days=max_days)}），"
                          f"{until} 超出了期限（[review] max_defer_days）")


def approval_of(current: Review | None, *, approve: bool, user: str, account: str, at: str, reason: str = "") -> Review:
    """The second reviewer's answer to a pending set-aside of a 单项否决: the same mark,
    approved; or, rejected, the finding reopened with the reason. Never by who marked it."""
    if current is None or not current.pending:
        raise ReviewError("这个问题没有待批准的复核")
    if account.strip() == current.account:
        raise ReviewError("不能批准自己提出的复核：单项否决的误报或暂缓须由另一位复核人批准")
    if approve:
        return replace(current, at=at, approval=APPROVED, approver=user.strip())
    reason = reason.strip()
    if not reason:
        raise ReviewError("驳回须填写理由")
    return replace(current, state=ReviewState.OPEN, reason=f"驳回{current.user}的“{current.state.label}”：{reason}",
                   user=user.strip(), account=account.strip(), at=at, until=None, approval="", approver="")


def evidence_digest(finding: dict[str, Any]) -> str:
    """What a reviewer saw, hashed: the rule, the page, the message's evidence without the
    parts that vary from run to run."""
    evidence = {k: v for k, v in (finding.get("evidence") or {}).items() if k not in _VOLATILE}
    key = [finding.get("rule"), finding.get("url"), evidence]
    return hashlib.sha1(json.dumps(key, ensure_ascii=False, sort_keys=True, default=str).encode("utf-8")).hexdigest()[:16]
