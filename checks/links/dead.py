"""links.dead: a link on the site does not load (19号 链接可用性).

One finding per broken target, listing every page that links it. Only a failure that proves
the target broken counts (crawler.failures: no such domain, refused, reset, timeout, an
HTTP error status...). One the tester cannot judge goes to not_checked: 401/403/429, a
firewall's challenge (412, 521), a certificate it could not check, a host it did not resolve
(resolve_only_mapped) or an address it may not contact. Every dead verdict was preceded by
the crawler's retries, and a HEAD answered with an error by a GET.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from enum import Enum
from urllib.parse import urlsplit

from govaudit.checks.base import Outcome, Rule, RuleContext, Severity
from govaudit.checks.options import Deduction
from govaudit.checks.wording import attempts_evidence, describe_outcome
from govaudit.crawler.failures import of_status
from govaudit.crawler.snapshot import NAVIGATION_TAGS, FetchOutcome, SiteSnapshot
from govaudit.crawler.urls import origin_key

_MAX_SOURCES_LISTED = 20
_DOWNLOADS = (".doc", ".docx", ".xls", ".xlsx", ".pdf", ".wps", ".et", ".zip", ".rar", ".7z", ".ofd")


class Verdict(Enum):
    ALIVE = "alive"
    DEAD = "dead"
    INCONCLUSIVE = "inconclusive"


def judge(outcome: FetchOutcome) -> Verdict:
    if outcome.left_scope:
        return Verdict.ALIVE  # an internal link that moved off-site answered with a redirect
    failure = outcome.failure
    if failure is None and outcome.error is None and outcome.status is not None:
        failure = of_status(outcome.status)
        if failure is None:
            return Verdict.ALIVE
    if failure is None:
        return Verdict.INCONCLUSIVE   # an error nobody classified (a record of an older version)
    return Verdict.DEAD if failure.proves_dead else Verdict.INCONCLUSIVE


def _failing_targets(snapshot: SiteSnapshot) -> dict[str, tuple[FetchOutcome, Verdict]]:
    """Every fetched or checked URL that did not load, with how it fared (a crawled page's
    own fetch wins over a link check of the same URL)."""
    failing: dict[str, tuple[FetchOutcome, Verdict]] = {}
    link_checks = ((url, outcome) for url, outcome in snapshot.link_checks.items())
    page_fetches = ((url, page.fetch) for url, page in snapshot.pages.items())
    for url, outcome in itertools.chain(link_checks, page_fetches):
        verdict = judge(outcome)
        if verdict is Verdict.ALIVE:
            failing.pop(url, None)
        else:
            failing[url] = (outcome, verdict)
    return failing


def check(snapshot: SiteSnapshot, context: RuleContext) -> Iterator[Outcome]:
    homepages = {snapshot.start_url}
    if snapshot.homepage is not None:
        homepages.add(snapshot.homepage.final_url)
    scope = set(snapshot.scope_hosts)
    failing = _failing_targets(snapshot)
    for target, sources in snapshot.linked_from(set(failing)).items():
        outcome, verdict = failing[target]
        if verdict is Verdict.INCONCLUSIVE:
            yield RULE.not_checked(f"链接返回 {describe_outcome(outcome)}，无法判断是否有效", target)
            continue
        pages = [src for src, _ in sources]
        tags = {tag for _, tag in sources}
        if tags == {"icon"}:
            continue  # a missing favicon: decoration, not a link of 19号 链接可用性
        on_homepage = any(p in homepages for p in pages)
        internal = origin_key(target) in scope
        evidence = {
            "link": target,
            "on_homepage": on_homepage,
            "internal": internal,
            "where": ("站内" if internal else "站外") + _kind_of(target, tags),
            "kind": "page" if tags & NAVIGATION_TAGS else "resource",
            "status": outcome.status if outcome.error is None else None,
            "error": outcome.error,
            "seen": describe_outcome(outcome),
            "tries": len(outcome.attempts),
            "method": outcome.method,
            "attempts": attempts_evidence(outcome),
            "linked_from": pages[:_MAX_SOURCES_LISTED],
            "linked_from_count": len(pages),
            "checked_at": outcome.fetched_at,
        }
        first = next((p for p in pages if p in homepages), pages[0])
        yield RULE.finding(first, evidence, on_homepage=on_homepage)
    yield from _unchecked_notes(snapshot)


def _kind_of(target: str, tags: set[str]) -> str:
    """What the link offers, as the report says it: 表格下载 (a form or attachment: 19号 附件下载), 页面链接, 资源."""
    if tags & NAVIGATION_TAGS and urlsplit(target).path.lower().endswith(_DOWNLOADS):
        return "表格下载"
    return "页面链接" if tags & NAVIGATION_TAGS else "资源"


def _unchecked_notes(snapshot: SiteSnapshot) -> Iterator[Outcome]:
    if snapshot.robots_blocked:
        sample = "、".join(sorted(snapshot.robots_blocked)[:3])
        yield RULE.not_checked(f"{len(snapshot.robots_blocked)} 个站内地址被 robots.txt 禁止抓取，未检查（如 {sample}）")
    for note in snapshot.notes:
        if note.kind in ("limit_links", "limit_time", "robots_unavailable"):
            yield RULE.not_checked(note.detail)


RULE = Rule(
    id="links.dead",
    title="链接不可用",
    severity=Severity.DEDUCT,
    basis="国办秘函〔2019〕19号《政府网站与政务新媒体检查指标》扣分指标“链接可用性”",
    explanation=("检查抓取到的每个页面上的链接和资源（站内外）：4xx、5xx、域名不存在、连接被拒绝、超时等在重试后仍失败即为不可用"
                 "（HEAD 请求返回错误的再用 GET 复核）；返回 401/403/429、防火墙验证页（412、521）、证书无法校验、"
                 "按设置未解析的域名或不允许访问的地址，列入“未检查”，不判为死链。同一链接只记一条，列出所有引用页面。"),
    messages={"default": "{where} {link} 无法访问（{seen}，共尝试 {tries} 次），"
                         "{linked_from_count} 个页面引用了它"},
    check=check,
    points=Deduction(points=0.1, homepage_points=1.0, cap=10.0),
)
