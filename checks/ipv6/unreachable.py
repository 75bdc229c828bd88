"""ipv6.unreachable: AAAA present, but the homepage does not load over IPv6 (首页IPv6可访问)."""

from __future__ import annotations

from collections.abc import Iterator

from govaudit.checks.base import Outcome, Rule, RuleContext, Severity
from govaudit.checks.ipv6.common import BASIS, fetch_evidence, probe_for
from govaudit.checks.options import Deduction
from govaudit.checks.wording import describe_error, describe_status
from govaudit.crawler.snapshot import SiteSnapshot

_DOUBTFUL = {401, 403, 407, 429}


def check(snapshot: SiteSnapshot, context: RuleContext) -> Iterator[Outcome]:
    probe, why = probe_for(snapshot, "address")
    if probe is None:
        yield RULE.not_checked(why or "")
        return
    for url in dict.fromkeys(f.url for f in probe.fetches):
        v4, v6 = probe.homepage_pair(url)
        if v6 is None or v6.address is None:
            continue
        if v4 is None or not v4.answered or (v4.status or 0) >= 500:
            yield RULE.not_checked(f"{url} 通过 IPv4 也无法正常访问，不单独判断 IPv6", url)
        elif v6.answered and v6.status in _DOUBTFUL and v4.status not in _DOUBTFUL:
            yield RULE.not_checked(f"{url} 通过 IPv6 返回 HTTP {v6.status}（IPv4 为 {v4.status}），可能是限流，无法判断", url)
        elif not v6.answered or (v6.status or 0) >= 500:
            seen = describe_status(v6.status or 0) if v6.answered else describe_error(v6.error or "")
            yield RULE.finding(url, {"url": url, "seen": seen, "ipv4": fetch_evidence(v4),
                                     "ipv6": fetch_evidence(v6)})


RULE = Rule(
    id="ipv6.unreachable",
    title="首页无法通过 IPv6 访问",
    severity=Severity.DEDUCT,
    basis=BASIS + "（首页IPv6可访问）",
    explanation="分别连接 A 记录和 AAAA 记录的地址（Host 头和 SNI 为网站域名）请求首页；有 AAAA 记录但 IPv6 连接失败、"
                "超时或返回 5xx 即为不可访问。IPv4 同样失败、或 IPv6 返回 401/403/429 的，列入未检查。",
    messages={"default": "{url} 有 AAAA 记录，但通过 IPv6 访问失败：{seen}（IPv4 正常）"},
    check=check,
    advice="确认 AAAA 记录指向的地址上 Web 服务已监听 IPv6（如 nginx 需 listen [::]:80 / [::]:443），"
           "防火墙和安全组已放行 IPv6 的 80/443 端口，HTTPS 证书在 IPv6 入口同样配置。",
    points=Deduction(points=2.0, cap=2.0),
)
