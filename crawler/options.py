"""What the crawler reads of the configuration: its own small frozen types.

govaudit/config.py loads, validates and composes them (the [crawl], [retry], [politeness],
[network], [ipv6] and [render] tables and [[sites]]); every numeric field carries its bounds
(annotated_types.Interval), which the loader enforces with the file, line and key.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Annotated, Literal
from urllib.parse import urlsplit

from annotated_types import Interval

SiteKind = Literal["auto", "portal", "department"]
AdminLevel = Literal["", "city", "county", "township"]

_DAY_S = 86_400.0


@dataclass(frozen=True)
class CrawlLimits:
    max_pages: Annotated[int, Interval(ge=1, le=1_000_000)] = 300
    max_depth: Annotated[int, Interval(ge=0, le=1000)] = 3
    max_page_bytes: Annotated[int, Interval(ge=1024, le=100_000_000)] = 5_000_000
    max_site_bytes: Annotated[int, Interval(ge=1024, le=100_000_000_000)] = 300_000_000
    max_site_seconds: Annotated[float, Interval(ge=1, le=7 * _DAY_S)] = 1200.0
    max_links_checked: Annotated[int, Interval(ge=0, le=10_000_000)] = 3000
    check_external_links: bool = True
    # Linked documents whose link text carries one of these words are downloaded for the
    # rules (yearly reports published only as PDF/DOCX/XLSX).
    attachment_words: tuple[str, ...] = ("年度报告", "年报")
    max_attachment_bytes: Annotated[int, Interval(ge=0, le=1_000_000_000)] = 20_000_000
    # Linked documents read for personal data and wrong wordings (privacy.*, content.wording):
    # lists of people are often published as attachments. Fewer and smaller than the above.
    scanned_attachment_words: tuple[str, ...] = ("名单", "公示", "花名册", "名册", "明细表", "汇总表", "登记表")
    max_scanned_attachments: Annotated[int, Interval(ge=0, le=1000)] = 10
    max_scanned_attachment_bytes: Annotated[int, Interval(ge=0, le=100_000_000)] = 2_000_000
    # Removed from every URL (query parameters; ";jsessionid=" path parameters): a fresh
    # session id in every link must not make one page look like many. "*": a prefix.
    session_parameters: tuple[str, ...] = ("jsessionid", "sid", "phpsessid", "aspsessionid*", "sessionid", "token")
    # A chain of pages whose URLs differ only in numbers (a calendar's next day, next day ...)
    # is followed this far, then noted as a trap.
    max_url_family_chain: Annotated[int, Interval(ge=2, le=10_000)] = 10


@dataclass(frozen=True)
class RetryPolicy:
    timeout_s: Annotated[float, Interval(gt=0, le=3600)] = 15.0            # connect / read timeout of one request
    request_deadline_s: Annotated[float, Interval(gt=0, le=_DAY_S)] = 60.0  # whole request incl. body
    # Like curl's --speed-limit/--speed-time: an answer slower than this many bytes per
    # second over speed_time_s (counted from its first byte) is abandoned. 0 turns it off.
    speed_limit_bytes_s: Annotated[int, Interval(ge=0, le=1_000_000_000)] = 1024
    speed_time_s: Annotated[float, Interval(ge=0, le=3600)] = 10.0
    retries: Annotated[int, Interval(ge=0, le=20)] = 2
    backoff_s: Annotated[float, Interval(ge=0, le=3600)] = 1.0
    max_retry_after_s: Annotated[float, Interval(ge=0, le=_DAY_S)] = 60.0
    max_redirects: Annotated[int, Interval(ge=0, le=100)] = 10


@dataclass(frozen=True)
class Politeness:
    per_host_concurrency: Annotated[int, Interval(ge=1, le=256)] = 2
    min_interval_s: Annotated[float, Interval(ge=0, le=3600)] = 0.5
    global_concurrency: Annotated[int, Interval(ge=1, le=4096)] = 16
    # Shown in the User-Agent so a site's administrator can reach whoever runs the audit.
    contact_url: str = "https://govaudit.invalid/contact"


@dataclass(frozen=True)
class Network:
    # "HOST:PORT" or "HOST" (port 53); empty: the system resolver.
    nameservers: tuple[str, ...] = ()
    # Like curl's --resolve: "HOST:ADDR" answers HOST with ADDR without asking DNS.
    resolve: tuple[str, ...] = ()
    dns_timeout_s: Annotated[float, Interval(gt=0, le=600)] = 5.0
    # Only names in `resolve` are resolved; every other name fails (the demo uses this so
    # that nothing it links to can ever leave the machine).
    resolve_only_mapped: bool = False
    # Non-public addresses (loopback, private, link-local) are never connected to, except the
    # audited site's own addresses and these networks (CIDR, e.g. "10.20.0.0/16").
    allow_networks: tuple[str, ...] = ()
    # A CA bundle (PEM) to verify HTTPS with instead of the system's, e.g. a government CA.
    ca_file: str = ""


@dataclass(frozen=True)
class Ipv6Options:
    """IPv6 measurement (plan task 31, ../shared/reference/ipv6.md) and its thresholds."""

    enabled: bool = True
    content_tolerance: Annotated[float, Interval(ge=0, le=1)] = 0.10   # [U] internet.nl's 10% after removing noise
    depth_threshold: Annotated[float, Interval(ge=0, le=1)] = 0.90     # [U] 二级/三级 link support rate needed
    depth_sample_cap: Annotated[int, Interval(ge=1, le=100_000)] = 200   # pages tested per level
    slow_ratio: Annotated[float, Interval(ge=0, le=1000)] = 1.0        # [U] notice when (v6 - v4) / v4 exceeds this
    slow_min_diff_s: Annotated[float, Interval(ge=0, le=600)] = 0.2    # [U] ... and v6 is this much slower
    min_ipv6_nameservers: Annotated[int, Interval(ge=0, le=100)] = 1     # internet.nl asks for 2
    max_body_bytes: Annotated[int, Interval(ge=1024, le=100_000_000)] = 500_000   # internet.nl compares up to 500 kB
    max_resource_hosts: Annotated[int, Interval(ge=0, le=10_000)] = 50


@dataclass(frozen=True)
class RenderOptions:
    """Rendering pages in Chromium (Playwright), for sites that build content with script."""

    mode: Literal["auto", "never", "always"] = "auto"   # auto: only pages whose static HTML needs it
    max_contexts: Annotated[int, Interval(ge=1, le=64)] = 2             # browser contexts open at once
    pages_per_context: Annotated[int, Interval(ge=1, le=100_000)] = 20  # a context is recycled after this many pages
    page_timeout_s: Annotated[float, Interval(gt=0, le=3600)] = 15.0    # a page still running script after this is cut
    max_rendered_pages: Annotated[int, Interval(ge=0, le=1_000_000)] = 50   # per site
    screenshots: bool = True          # homepage and evidence pages, in the report
    max_screenshots: Annotated[int, Interval(ge=0, le=1000)] = 8          # per site
    viewport_width: Annotated[int, Interval(ge=200, le=10_000)] = 1280
    viewport_height: Annotated[int, Interval(ge=200, le=10_000)] = 800
    chromium_path: str = ""           # empty: chromium on PATH
    user_agent: str = ""              # empty: Chromium's own
    # Budgets of one rendered page: bytes fulfilled to the browser (document + resources),
    # the JS heap, and the browser's memory (all its processes, PSS), above which it is killed.
    max_render_bytes: Annotated[int, Interval(ge=1024, le=1_000_000_000)] = 16_000_000
    js_heap_mb: Annotated[int, Interval(ge=16, le=16_384)] = 256
    max_browser_memory_mb: Annotated[int, Interval(ge=64, le=65_536)] = 550
    resource_max_bytes: Annotated[int, Interval(ge=0, le=1_000_000_000)] = 4_000_000   # one script, stylesheet or image
    resource_cache_mb: Annotated[int, Interval(ge=0, le=65_536)] = 64      # sub-resources kept per audit (fetched once)


@dataclass(frozen=True)
class SiteConfig:
    """A site to audit ([[sites]])."""

    name: str
    url: str
    unit: str = ""
    # portal (门户网站) or department (部门网站); auto: inferred from the site (checks/sitemodel/kind.py)
    kind: SiteKind = "auto"
    # Other host names that belong to the same site (crawled, not treated as external).
    same_site_hosts: tuple[str, ...] = ()
    # A basic-level unit (基层) keeps the 26-domain standard catalogues (plan tasks 32-33).
    basic_level: bool = False
    # city / county governments and their departments also publish 第二十一条 content.
    admin_level: AdminLevel = ""

    @property
    def host(self) -> str:
        return (urlsplit(self.url).hostname or "").lower()


@dataclass(frozen=True)
class CrawlerOptions:
    """Everything the crawler reads, composed by govaudit.config.Config.crawler."""

    crawl: CrawlLimits = field(default_factory=CrawlLimits)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    politeness: Politeness = field(default_factory=Politeness)
    network: Network = field(default_factory=Network)
    ipv6: Ipv6Options = field(default_factory=Ipv6Options)
    render: RenderOptions = field(default_factory=RenderOptions)


def parse_resolve(item: str) -> tuple[str, str]:
    """'HOST:ADDR' -> (host, addr); split at the first colon, brackets optional for IPv6."""
    host, sep, addr = item.partition(":")
    if not sep or not host or not addr:
        raise ValueError(f"应写成 主机名:地址，实际为 {item!r}")
    addr = addr.strip()
    if addr.startswith("[") and addr.endswith("]"):
        addr = addr[1:-1]
    try:
        ipaddress.ip_address(addr)
    except ValueError:
        raise ValueError(f"“{addr}”不是 IP 地址（{item!r}）") from None
    return host.lower().rstrip("."), addr


def parse_nameserver(item: str) -> tuple[str, int]:
    """'ADDR', 'ADDR:PORT' or '[V6]:PORT' -> (addr, port)."""
    text = item.strip()
    if text.startswith("["):
        addr, _, rest = text[1:].partition("]")
        port_text = rest.lstrip(":") or "53"
    elif text.count(":") == 1:
        addr, port_text = text.split(":")
    else:
        addr, port_text = text, "53"
    try:
        ipaddress.ip_address(addr)
        port = int(port_text)
    except ValueError:
        raise ValueError(f"域名服务器应写成 地址 或 地址:端口，实际为 {item!r}") from None
    if not 0 < port < 65536:
        raise ValueError(f"端口超出范围：{item!r}")
    return addr, port
