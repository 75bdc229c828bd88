"""The kind of a site (portal, department) when its [[sites]] entry does not say.

Some duties are a portal's: the 15 categories of 法定主动公开内容, a 规章/规范性文件 library
of its own, an online consultation channel (a department of a 集约化 district publishes and
answers through the portal), the later annual-report deadline. Judged as a portal, a
department's site would be reported for all of them; so an unconfigured kind is inferred
from what the site itself shows, and where it shows nothing sure the kind stays unknown and
those duties are not checked.

- The 网站主办单位 named on the homepage: a government's own office (…人民政府, …政府办公室,
  …党政办, …管委会) is its portal; an organ of it (…局, …委, …中心) a department's site.
- The host (47号): `www.<name>.gov.cn` or `<name>.gov.cn` is a portal's, `<dept>.<name>.gov.cn`
  a department's (the same for `.政务`).
The sponsor wins over the host (a ministry's `www.<name>.gov.cn`, a district's portal under its
city's domain); the reason, with every sign seen, goes into the report. A configured kind
always wins.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from govaudit.checks.base import RuleContext
from govaudit.checks.identity.marks import Status, data, identity_facts
from govaudit.crawler.snapshot import SiteSnapshot

_NOTE = re.compile(r"[（(][^（()）]*[）)]$")
_GOV_SUFFIXES = (".gov.cn", ".政务", ".xn--zfr164b")
KIND_LABELS = {"portal": "门户网站", "department": "部门网站"}


@dataclass(frozen=True)
class SiteKind:
    kind: str | None      # "portal", "department", or None: unknown
    source: str           # "configured", "inferred" or "unknown"
    reason: str           # in Chinese, for the report

    def holds(self, kinds: tuple[str, ...]) -> bool | None:
        """Whether the site is of one of `kinds`; None when its kind is unknown."""
        return None if self.kind is None else self.kind in kinds

    @property
    def unknown_reason(self) -> str:
        return f"网站类型（门户网站或部门网站）未配置，也无法从网站推断（{self.reason}）；可在 [[sites]] kind 中指定"


def site_kind(snapshot: SiteSnapshot, context: RuleContext) -> SiteKind:
    return context.models.get(_infer, snapshot, context)


def duty_exempt(snapshot: SiteSnapshot, context: RuleContext, kinds: tuple[str, ...], option: str,
                exempt: str) -> str | None:
    """Why a duty of only the sites of `kinds` (the option `option` lists them) is not checked
    here: the kind is unknown, or the site is not of those kinds (`exempt` says why that
    frees it); None when the site has the duty."""
    kind = site_kind(snapshot, context)
    duty = kind.holds(kinds)
    if duty is None:
        return kind.unknown_reason
    return None if duty else f"{exempt}（{option} = {list(kinds)}；{kind.reason}）"


def kind_view(snapshot: SiteSnapshot, context: RuleContext) -> dict[str, Any]:
    """The site's kind as the report states it: the kind (null: unknown), configured or inferred, why."""
    kind = site_kind(snapshot, context)
    return {"kind": kind.kind, "kind_source": kind.source, "kind_reason": kind.reason}


def _infer(snapshot: SiteSnapshot, context: RuleContext) -> SiteKind:
    if snapshot.kind in KIND_LABELS:
        return SiteKind(snapshot.kind, "configured", f"配置为{KIND_LABELS[snapshot.kind]}")
    sponsor = homepage_sponsor(snapshot)
    by_sponsor = kind_of_sponsor(sponsor) if sponsor else None
    host = urlsplit(snapshot.start_url).hostname or ""
    by_host = kind_of_host(host)
    signs = []
    if sponsor:
        signs.append(f"主办单位“{sponsor}”" + (f"为{KIND_LABELS[by_sponsor]}的主办者" if by_sponsor else "看不出类型"))
    else:
        signs.append("首页未读到主办单位")
    signs.append(f"域名 {host} " + (f"为{KIND_LABELS[by_host]}的形式" if by_host else "看不出类型"))
    kind = by_sponsor or by_host
    return SiteKind(kind, "inferred" if kind else "unknown", "；".join(signs))


def homepage_sponsor(snapshot: SiteSnapshot) -> str | None:
    home = snapshot.homepage_page
    facts = identity_facts(home) if home is not None else None
    result = facts.mark("identity.sponsor") if facts is not None else None
    return result.seen or None if result is not None and result.status is Status.PRESENT else None


def kind_of_sponsor(name: str) -> str | None:
    name = _NOTE.sub("", name)       # "…办公室（演示）", "…局（挂…牌子）": the name before its note
    government, department = _endings()
    if name.endswith(government):
        return "portal"
    if name.endswith(department):
        return "department"
    return None


@cache
def _endings() -> tuple[tuple[str, ...], tuple[str, ...]]:
    table = data()
    return tuple(table["government_sponsor_endings"]), tuple(table["department_sponsor_endings"])


def kind_of_host(host: str) -> str | None:
    host = host.lower().rstrip(".")
    try:
        ipaddress.ip_address(host.strip("[]"))
        return None
    except ValueError:
        pass
    suffix = next((s for s in _GOV_SUFFIXES if host.endswith(s)), None)
    if suffix is None:
        return None
    labels = host[: -len(suffix)].split(".")
    if len(labels) == 1 or (len(labels) == 2 and labels[0] == "www"):
        return "portal"
    return "department"
