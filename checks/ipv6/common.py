"""What the IPv6 rules share: the probe, or why there is none; DNS answers in words."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from govaudit.crawler.snapshot import DnsAnswer, FamilyFetch, HostDns, Ipv6Probe, SiteSnapshot

BASIS = "国家IPv6发展监测平台政府网站IPv6支持度指标"

_STATUS_WORDS = {
    "ok": "有记录", "nodata": "无记录", "nxdomain": "域名不存在", "timeout": "查询超时",
    "servfail": "DNS 服务器返回失败（SERVFAIL/REFUSED）", "error": "查询出错", "not_asked": "未查询",
}


def no_probe_reason(snapshot: SiteSnapshot) -> str:
    url = snapshot.homepage.final_url if snapshot.homepage else snapshot.start_url
    host = urlsplit(url).hostname or ""
    try:
        ipaddress.ip_address(host)
        return f"网站以 IP 地址（{host}）访问，没有域名可查，不检查 IPv6"
    except ValueError:
        return "未进行 IPv6 检测（配置中关闭，或抓取提前结束）"


def dns_words(answer: DnsAnswer) -> str:
    words = _STATUS_WORDS[answer.status]
    if answer.status == "ok":
        words = "、".join(answer.records)
    if answer.detail and answer.status != "ok":
        words += f"（{answer.detail}）"
    if answer.source == "resolve_map":
        words += "〔来自 --resolve 解析映射〕"
    return words


def site_dns(probe: Ipv6Probe) -> HostDns | None:
    return probe.host_dns(probe.site_host)


def no_address_reason(probe: Ipv6Probe) -> str | None:
    """Why the site has no IPv6 address to test; None when its AAAA record answered."""
    dns = site_dns(probe)
    if dns is not None and dns.aaaa.ok:
        return None
    if dns is not None and dns.aaaa.is_definite_absence:
        return "网站没有 AAAA 记录（见 ipv6.no_aaaa），无从测试"
    words = dns_words(dns.aaaa) if dns is not None else "未查询"
    return f"网站的 AAAA 记录无法确定（{words}），无从测试"


def untestable_reason(probe: Ipv6Probe) -> str | None:
    """Why IPv6 service cannot be tested beyond DNS; None when the homepage answered over IPv6."""
    reason = no_address_reason(probe)
    if reason:
        return reason
    v6 = [f for f in probe.fetches if f.family == "ipv6"]
    if not any(f.answered and (f.status or 0) < 500 for f in v6):
        return "首页无法通过 IPv6 访问（见 ipv6.unreachable），无从测试"
    return None


def fetch_evidence(fetch: FamilyFetch | None) -> dict[str, object] | None:
    if fetch is None:
        return None
    return {"address": fetch.address, "status": fetch.status, "error": fetch.error, "size": fetch.size,
            "connect_s": fetch.connect_s, "first_byte_s": fetch.first_byte_s, "total_s": fetch.total_s,
            "tries": fetch.tries}


def probe_for(snapshot: SiteSnapshot, need: str = "probe") -> tuple[Ipv6Probe | None, str | None]:
    """(the probe, None), or (None, why this rule cannot judge). `need`: "probe" (DNS answers
    suffice), "address" (an AAAA record), "service" (the homepage answered over IPv6)."""
    probe = snapshot.ipv6
    if probe is None:
        return None, no_probe_reason(snapshot)
    reason = {"probe": None, "address": no_address_reason(probe), "service": untestable_reason(probe)}[need]
    return (None, reason) if reason else (probe, None)
