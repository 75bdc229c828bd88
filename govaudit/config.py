"""One typed configuration: defaults here, then config.toml, then the command line.

Every group is a small frozen dataclass; its field defaults ARE the built-in defaults.
Values marked [U] in comments are unconfirmed in the reference material: they are
configurable defaults, never rules (see ../shared/reference/README.md).
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import re
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from govaudit.errors import ConfigError

SiteKind = Literal["portal", "department"]
AdminLevel = Literal["", "city", "county", "township"]


@dataclass(frozen=True)
class CrawlLimits:
    max_pages: int = 300
    max_depth: int = 3
    max_page_bytes: int = 5_000_000
    max_site_bytes: int = 300_000_000
    max_site_seconds: float = 1200.0
    max_links_checked: int = 3000
    check_external_links: bool = True
    # Linked documents whose link text carries one of these words are downloaded for the
    # rules (yearly reports published only as PDF/DOCX/XLSX).
    attachment_words: tuple[str, ...] = ("年度报告", "年报")
    max_attachment_bytes: int = 20_000_000
    # Removed from every URL (query parameters; ";jsessionid=" path parameters): a fresh
    # session id in every link must not make one page look like many. "*": a prefix.
    session_parameters: tuple[str, ...] = ("jsessionid", "sid", "phpsessid", "aspsessionid*", "sessionid", "token")
    # A chain of pages whose URLs differ only in numbers (a calendar's next day, next day ...)
    # is followed this far, then noted as a trap.
    max_url_family_chain: int = 10


@dataclass(frozen=True)
class RetryPolicy:
    timeout_s: float = 15.0            # connect / read timeout of one request
    request_deadline_s: float = 60.0   # whole request incl. body: a trickling server is cut here
    # Like curl's --speed-limit/--speed-time: an answer slower than this many bytes per
    # second over speed_time_s (counted from its first byte) is abandoned. 0 turns it off.
    speed_limit_bytes_s: int = 1024
    speed_time_s: float = 10.0
    retries: int = 2
    backoff_s: float = 1.0
    max_retry_after_s: float = 60.0
    max_redirects: int = 10


@dataclass(frozen=True)
class Politeness:
    per_host_concurrency: int = 2
    min_interval_s: float = 0.5
    global_concurrency: int = 16
    # Shown in the User-Agent so a site's administrator can reach whoever runs the audit.
    contact_url: str = "https://govaudit.invalid/contact"


@dataclass(frozen=True)
class Network:
    # "HOST:PORT" or "HOST" (port 53); empty: the system resolver.
    nameservers: tuple[str, ...] = ()
    # Like curl's --resolve: "HOST:ADDR" answers HOST with ADDR without asking DNS.
    resolve: tuple[str, ...] = ()
    dns_timeout_s: float = 5.0
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
    """IPv6 measurement (plan task 31, ../shared/reference/ipv6.md)."""

    enabled: bool = True
    content_tolerance: float = 0.10      # [U] internet.nl's 10% after removing per-request noise
    depth_threshold: float = 0.90        # [U] 二级/三级 link support rate needed
    depth_sample_cap: int = 200          # pages tested per level
    slow_ratio: float = 1.0              # [U] notice when (v6 - v4) / v4 exceeds this
    slow_min_diff_s: float = 0.2         # [U] ... and v6 is this much slower in absolute terms
    min_ipv6_nameservers: int = 1        # internet.nl asks for 2
    max_body_bytes: int = 500_000        # internet.nl compares up to 500 kB
    max_resource_hosts: int = 50


@dataclass(frozen=True)
class Freshness:
    """国办秘函〔2019〕19号 首页/栏目不更新; ages are measured from --today."""

    news_days: int = 14               # 动态/要闻 columns [V]
    notice_days: int = 183            # 通知公告/政策文件 columns: six months [V]
    other_days: int = 0               # other columns; 0: not judged (the indicators set no limit)
    homepage_days: int = 14           # [V]
    veto_stale_columns: int = 5       # (a) stale 动态 + first-level 通知公告/政策文件 columns [V]
    veto_unupdated_columns: int = 10  # (b) columns that should be updated and are not [V]
    veto_blank_columns: int = 5       # (c) 空白栏目 [V]


@dataclass(frozen=True)
class InteractionOptions:
    unanswered_days: int = 90         # 19号: unanswered for more than 3 months [V]
    window_days: int = 365            # ... among messages of the past year [V]


@dataclass(frozen=True)
class DisclosureOptions:
    # Site kinds whose 法定主动公开内容 is checked category by category: a department
    # publishes what its duties cover, so by default only portals are held to all 15.
    statutory_site_kinds: tuple[str, ...] = ("portal",)


@dataclass(frozen=True)
class RegulationOptions:
    # [U] A page's version may be dated by the 常务会议 that passed it, weeks before the
    # library's 公布 date: a version within this many days of the latest counts as current.
    version_tolerance_days: int = 120
    late_publication_working_days: int = 20   # 条例 第二十六条 [V]
    # Site kinds that must keep a 规章/规范性文件 library of their own: a department's documents
    # are usually published in the portal's library (a portal duty unless configured).
    library_site_kinds: tuple[str, ...] = ("portal",)


@dataclass(frozen=True)
class RenderOptions:
    """Rendering pages in Chromium (Playwright), for sites that build content with script."""

    mode: Literal["auto", "never", "always"] = "auto"   # auto: only pages whose static HTML needs it
    max_contexts: int = 2             # browser contexts open at once
    pages_per_context: int = 20       # a context is recycled after this many pages
    page_timeout_s: float = 15.0      # a page still running script after this is cut
    max_rendered_pages: int = 50      # per site
    screenshots: bool = True          # homepage and evidence pages, in the report
    max_screenshots: int = 8          # per site
    viewport_width: int = 1280
    viewport_height: int = 800
    chromium_path: str = ""           # empty: chromium on PATH
    user_agent: str = ""              # empty: Chromium's own
    # Budgets of one rendered page: bytes fulfilled to the browser (document + resources),
    # the JS heap, and the browser's memory (all its processes, PSS), above which it is killed.
    max_render_bytes: int = 16_000_000
    js_heap_mb: int = 256
    max_browser_memory_mb: int = 550
    resource_max_bytes: int = 4_000_000   # one script, stylesheet or image for the browser
    resource_cache_mb: int = 64           # sub-resources kept per audit (fetched once)


@dataclass(frozen=True)
class Store:
    path: str = "govaudit.sqlite"
    keep_full_runs: int = 3      # newest runs whose snapshots keep every page body
    keep_runs: int = 60          # older runs keep bodies of evidence pages only; beyond this, no snapshot
    reports_dir: str = "govaudit-reports"  # `govaudit run` writes <this>/<run id>/ (relative to the config file)


@dataclass(frozen=True)
class RunOptions:
    max_concurrent_sites: int = 16   # sites audited at once (politeness stays per host)
    # Where pages are analysed and stored and sites judged: a worker process (the crawl keeps
    # its own core) or a thread (no process start: small audits, tests).
    judge: Literal["process", "thread"] = "process"


@dataclass(frozen=True)
class ScheduleOptions:
    timezone: str = "Asia/Shanghai"
    audit_cron: str = "0 1 * * *"     # the nightly audit of every site
    probe_minutes: int = 60           # homepage availability probes (19号: 20+ a day)
    probe_timeout_s: float = 15.0     # 19号: a probe fails when the site is not open after 15 s
    misfire_grace_s: int = 3600       # a run missed by less than this still runs (once)
    availability_days: int = 7        # 19号: monitored for one week
    availability_min_probes: int = 140   # 20 a day for 7 days; fewer: not judged
    availability_veto_share: float = 0.05   # failed probes / probes at or above this: veto


@dataclass(frozen=True)
class LedgerOptions:
    """整改期限 (days from first sighting) by severity [U]: set by the office."""

    veto_days: int = 7
    deduct_days: int = 30
    notice_days: int = 90


@dataclass(frozen=True)
class MailOptions:
    enabled: bool = False
    host: str = ""
    port: int = 587
    security: Literal["starttls", "ssl", "none"] = "starttls"
    sender: str = ""
    recipients: tuple[str, ...] = ()
    # Names of environment variables holding the credentials: never the secrets themselves.
    username_env: str = ""
    password_env: str = ""
    retries: int = 3
    timeout_s: float = 30.0


@dataclass(frozen=True)
class Deduction:
    points: float = 0.0
    # Points for a finding on the homepage, where it differs (links.dead).
    homepage_points: float | None = None
    # No indicator loses more than its own points (19号 scoring logic).
    cap: float = 100.0


def _default_deductions() -> dict[str, Deduction]:
    # [U] The 19号 point values were not read (../shared/reference/indicators.md): every deduct
    # rule has a default here so that the score means something; the office sets its own in
    # [scoring.deductions] (entries there replace these one rule at a time; points = 0 drops one).
    return {
        "links.dead": Deduction(points=0.1, homepage_points=1.0, cap=10.0),
        "identity.conac": Deduction(points=2.0, cap=2.0),
        "identity.site_code": Deduction(points=2.0, cap=2.0),
        "identity.icp": Deduction(points=2.0, cap=2.0),
        "identity.police": Deduction(points=2.0, cap=2.0),
        "identity.sponsor": Deduction(points=2.0, cap=2.0),
        "columns.stale": Deduction(points=1.0, cap=10.0),
        "columns.blank": Deduction(points=2.0, cap=10.0),
        "disclosure.column_missing": Deduction(points=5.0, cap=5.0),
        "disclosure.subcolumn_missing": Deduction(points=1.0, cap=4.0),
        "disclosure.guide_incomplete": Deduction(points=0.5, cap=3.0),
        "disclosure.statutory_missing": Deduction(points=0.5, cap=5.0),
        "disclosure.domain_catalog_missing": Deduction(points=0.5, cap=5.0),
        "regulations.outdated": Deduction(points=0.5, cap=3.0),
        "regulations.repealed_shown": Deduction(points=1.0, cap=3.0),
        "regulations.no_validity": Deduction(points=0.2, cap=3.0),
        "regulations.library_missing": Deduction(points=2.0, cap=2.0),
        "annual_report.missing": Deduction(points=5.0, cap=5.0),
        "annual_report.sections": Deduction(points=1.0, cap=4.0),
        "annual_report.tables": Deduction(points=1.0, cap=4.0),
        "annual_report.arithmetic": Deduction(points=0.5, cap=3.0),
        "ipv6.no_aaaa": Deduction(points=2.0, cap=2.0),
        "ipv6.unreachable": Deduction(points=2.0, cap=2.0),
        "ipv6.content_mismatch": Deduction(points=1.0, cap=1.0),
        "ipv6.depth": Deduction(points=1.0, cap=2.0),
    }


@dataclass(frozen=True)
class Scoring:
    pass_mark: float = 60.0
    deductions: dict[str, Deduction] = field(default_factory=_default_deductions)


@dataclass(frozen=True)
class SiteConfig:
    name: str
    url: str
    unit: str = ""
    kind: SiteKind = "portal"
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
class Config:
    crawl: CrawlLimits = field(default_factory=CrawlLimits)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    politeness: Politeness = field(default_factory=Politeness)
    network: Network = field(default_factory=Network)
    ipv6: Ipv6Options = field(default_factory=Ipv6Options)
    freshness: Freshness = field(default_factory=Freshness)
    interaction: InteractionOptions = field(default_factory=InteractionOptions)
    disclosure: DisclosureOptions = field(default_factory=DisclosureOptions)
    regulations: RegulationOptions = field(default_factory=RegulationOptions)
    render: RenderOptions = field(default_factory=RenderOptions)
    store: Store = field(default_factory=Store)
    run: RunOptions = field(default_factory=RunOptions)
    schedule: ScheduleOptions = field(default_factory=ScheduleOptions)
    ledger: LedgerOptions = field(default_factory=LedgerOptions)
    mail: MailOptions = field(default_factory=MailOptions)
    scoring: Scoring = field(default_factory=Scoring)
    sites: tuple[SiteConfig, ...] = ()
    source: str | None = None  # the file it was read from, for messages

    def replace(self, **changes: Any) -> Config:
        return dataclasses.replace(self, **changes)


_TOP_LEVEL: dict[str, type] = {
    "crawl": CrawlLimits, "retry": RetryPolicy, "politeness": Politeness,
    "network": Network, "ipv6": Ipv6Options, "freshness": Freshness, "interaction": InteractionOptions,
    "disclosure": DisclosureOptions, "regulations": RegulationOptions, "render": RenderOptions, "store": Store,
    "scoring": Scoring,
    "run": RunOptions, "schedule": ScheduleOptions, "ledger": LedgerOptions, "mail": MailOptions,
}


def load_config(path: str | Path | None, *, default_path: str | Path = "config.toml") -> Config:
    """Read and validate a config file; with no path, ./config.toml when present, else defaults."""
    if path is None:
        candidate = Path(default_path)
        if not candidate.is_file():
            return Config()
        path = candidate
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError("配置文件不存在", file=str(path)) from None
    except UnicodeDecodeError:
        raise ConfigError("配置文件不是 UTF-8 编码", file=str(path)) from None
    except OSError as exc:
        raise ConfigError(f"无法读取配置文件：{exc.strerror}", file=str(path)) from None
    return parse_config(text, source=str(path))


def parse_config(text: str, *, source: str = "<config>") -> Config:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = _line_of_decode_error(str(exc))
        raise ConfigError(f"TOML 语法错误：{exc}", file=source, line=line) from None
    builder = _Builder(text, source)
    return builder.config(raw)


def _line_of_decode_error(message: str) -> int | None:
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else None


class _Builder:
    """Turns the parsed TOML into the dataclasses, naming file, line and key on every error."""

    def __init__(self, text: str, source: str) -> None:
        self.text = text
        self.source = source

    def fail(self, key: str, message: str) -> typing.NoReturn:
        raise ConfigError(message, file=self.source, line=locate_key(self.text, key), key=key)

    def config(self, raw: dict[str, Any]) -> Config:
        values: dict[str, Any] = {}
        for name, value in raw.items():
            if name == "sites":
                values["sites"] = self.sites(value)
            elif name in _TOP_LEVEL:
                if not isinstance(value, dict):
                    self.fail(name, f"应为表 [{name}]")
                values[name] = self.group(_TOP_LEVEL[name], value, name)
            else:
                self.fail(name, f"未知的配置节“{name}”；可用的有：{', '.join(sorted([*_TOP_LEVEL, 'sites']))}")
        if "scoring" in values:  # the configured points replace the defaults rule by rule
            scoring = values["scoring"]
            values["scoring"] = dataclasses.replace(scoring, deductions={**_default_deductions(), **scoring.deductions})
        config = Config(**values, source=self.source)
        self.check_semantics(config)
        return config

    def sites(self, value: Any) -> tuple[SiteConfig, ...]:
        if not isinstance(value, list):
            self.fail("sites", "应写成 [[sites]] 表数组")
        sites = []
        for index, item in enumerate(value):
            key = f"sites[{index}]"
            if not isinstance(item, dict):
                self.fail(key, "每个 [[sites]] 应为表")
            site = self.group(SiteConfig, item, key)
            self.check_url(f"{key}.url", site.url)
            sites.append(site)
        names = [s.name for s in sites]
        for name in names:
            if names.count(name) > 1:
                self.fail("sites", f"网站名称“{name}”重复")
        return tuple(sites)

    def group(self, cls: type, table: dict[str, Any], prefix: str) -> Any:
        hints = typing.get_type_hints(cls)
        fields = {f.name: f for f in dataclasses.fields(cls)}
        kwargs: dict[str, Any] = {}
        for key, value in table.items():
            full = f"{prefix}.{key}"
            if key not in fields:
                known = "、".join(sorted(fields))
                self.fail(full, f"未知的配置项“{key}”；[{prefix}] 可用的有：{known}")
            kwargs[key] = self.value(hints[key], value, full)
        for name, f in fields.items():
            if name not in kwargs and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                self.fail(f"{prefix}.{name}", "缺少必填项")
        return cls(**kwargs)

    def value(self, hint: Any, value: Any, key: str) -> Any:
        origin = typing.get_origin(hint)
        args = typing.get_args(hint)
        if origin in (types.UnionType, typing.Union):
            if value is None and type(None) in args:
                return None
            (inner,) = [a for a in args if a is not type(None)]
            return self.value(inner, value, key)
        if origin is Literal:
            if value not in args:
                self.fail(key, f"取值应为 {' / '.join(map(str, args))} 之一，实际为 {value!r}")
            return value
        if origin is tuple:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                self.fail(key, "应为字符串列表")
            return tuple(value)
        if origin is dict:
            if not isinstance(value, dict):
                self.fail(key, "应为表")
            return {k: self.group(args[1], v, f"{key}.{k}") if isinstance(v, dict)
                    else self.fail(f"{key}.{k}", "应为表") for k, v in value.items()}
        return self.scalar(hint, value, key)

    def scalar(self, hint: Any, value: Any, key: str) -> Any:
        if hint is bool:
            if not isinstance(value, bool):
                self.fail(key, f"应为 true 或 false，实际为 {value!r}")
            return value
        if hint is int:
            if isinstance(value, bool) or not isinstance(value, int):
                self.fail(key, f"应为整数，实际为 {value!r}")
            if value < 0:
                self.fail(key, f"不能为负数：{value}")
            return value
        if hint is float:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                self.fail(key, f"应为数字，实际为 {value!r}")
            if value < 0:
                self.fail(key, f"不能为负数：{value}")
            return float(value)
        if hint is str:
            if not isinstance(value, str):
                self.fail(key, f"应为字符串，实际为 {value!r}")
            return value
        raise TypeError(f"unsupported config type {hint!r} for {key}")  # a programming error

    def check_url(self, key: str, url: str) -> None:
        problem = url_problem(url)
        if problem:
            self.fail(key, problem)

    def check_semantics(self, config: Config) -> None:
        positive = {
            "crawl.max_pages": config.crawl.max_pages,
            "crawl.max_page_bytes": config.crawl.max_page_bytes,
            "politeness.per_host_concurrency": config.politeness.per_host_concurrency,
            "politeness.global_concurrency": config.politeness.global_concurrency,
            "retry.timeout_s": config.retry.timeout_s,
        }
        for key, value in positive.items():
            if value <= 0:
                self.fail(key, "应大于 0")
        for key in ("content_tolerance", "depth_threshold"):
            if not 0 <= getattr(config.ipv6, key) <= 1:
                self.fail(f"ipv6.{key}", "应为 0 到 1 之间的比例")
        if not 0 <= config.scoring.pass_mark <= 100:
            self.fail("scoring.pass_mark", "应在 0 到 100 之间")
        for index, item in enumerate(config.network.resolve):
            try:
                parse_resolve(item)
            except ValueError as exc:
                self.fail(f"network.resolve[{index}]", str(exc))
        for index, network in enumerate(config.network.allow_networks):
            try:
                ipaddress.ip_network(network, strict=False)
            except ValueError:
                self.fail(f"network.allow_networks[{index}]", f"“{network}”不是网络地址（如 10.20.0.0/16）")
        for index, server in enumerate(config.network.nameservers):
            try:
                parse_nameserver(server)
            except ValueError as exc:
                self.fail(f"network.nameservers[{index}]", str(exc))
        self.check_schedule(config.schedule)
        self.check_mail(config.mail)
        from checks.registry import all_rules  # late: the registry imports rule modules

        known = {rule.id for rule in all_rules()}
        for rule_id in config.scoring.deductions:
            if rule_id not in known:
                self.fail(f"scoring.deductions.{rule_id}", f"没有编号为“{rule_id}”的检查规则")


    def check_schedule(self, schedule: ScheduleOptions) -> None:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        from apscheduler.triggers.cron import CronTrigger

        try:
            ZoneInfo(schedule.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            self.fail("schedule.timezone", f"未知的时区“{schedule.timezone}”，例如 Asia/Shanghai")
        try:
            CronTrigger.from_crontab(schedule.audit_cron, timezone=schedule.timezone)
        except ValueError as exc:
            self.fail("schedule.audit_cron", f"cron 表达式无效（五段：分 时 日 月 周）：{schedule.audit_cron!r}（{exc}）")
        if schedule.probe_minutes <= 0:
            self.fail("schedule.probe_minutes", "应大于 0")

    def check_mail(self, mail: MailOptions) -> None:
        if not mail.enabled:
            return
        for key in ("host", "sender"):
            if not getattr(mail, key):
                self.fail(f"mail.{key}", "启用邮件（enabled = true）时必须填写")
        if not mail.recipients:
            self.fail("mail.recipients", "启用邮件时至少要有一个收件人")
        for key in ("username_env", "password_env"):
            name = getattr(mail, key)
            if name and not os.environ.get(name):
                self.fail(f"mail.{key}", f"环境变量 {name} 未设置（邮件账号密码只从环境变量读取，不写入配置文件）")


def url_problem(url: str) -> str | None:
    """Why `url` cannot be audited, in Chinese; None when it can."""
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError as exc:
        return f"网址格式错误：{url!r}（{exc}）"
    if parts.scheme not in ("http", "https"):
        return f"只支持 http 和 https 网址，实际为 {url!r}"
    if not parts.hostname:
        return f"网址缺少主机名：{url!r}"
    return None


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


def locate_key(text: str, key: str) -> int | None:
    """Best-effort line number of a dotted key ('crawl.max_pages', 'sites[1].url') in TOML text.

    tomllib reports no positions for values, so this follows table headers and `key =` lines.
    """
    parts = re.findall(r"[^.\[\]]+|\[\d+\]", key)
    if not parts:
        return None
    if len(parts) > 1 and parts[-1].startswith("[") and not parts[-2].startswith("["):
        parts = parts[:-1]  # "network.resolve[0]": the line of `resolve = [...]`
    target_table, leaf = parts[:-1], parts[-1]
    if leaf.startswith("["):
        target_table, leaf = parts, ""
    table: list[str] = []
    array_counts: dict[str, int] = {}
    table_line: int | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        header = re.match(r"^\[\[\s*([^\]]+?)\s*\]\]", stripped) or re.match(r"^\[\s*([^\]]+?)\s*\]", stripped)
        if header:
            name = header.group(1).replace('"', "")
            if stripped.startswith("[["):
                array_counts[name] = array_counts.get(name, -1) + 1
                table = [name, f"[{array_counts[name]}]"]
            else:
                table = name.split(".")
            if table == target_table:
                table_line = number
            continue
        if leaf and table == target_table:
            assignment = re.match(r'^"?([^"=\s]+)"?\s*=', stripped)
            if assignment and assignment.group(1) == leaf:
                return number
    if table_line is not None:
        return table_line
    if not target_table:
        for number, line in enumerate(text.splitlines(), start=1):
            if re.match(rf"^\[+\s*{re.escape(leaf)}\s*\]+", line.strip()):
                return number
    return None
