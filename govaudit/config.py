"""One typed configuration: defaults, then config.toml, then the command line.

Each layer owns the options it reads as small frozen dataclasses whose field defaults ARE
the built-in defaults and whose numeric fields carry their bounds (annotated_types): the
crawler's in crawler/options.py, the rules' in checks/options.py; the store, run, schedule,
ledger and mail options of the glue are here. This module only loads, validates (naming
file, line and key) and composes them. Values marked [U] in comments are unconfirmed in the
reference material: configurable defaults, never rules (see ../shared/reference/README.md).
"""

from __future__ import annotations

import dataclasses
import functools
import ipaddress
import os
import re
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal
from urllib.parse import urlsplit

from annotated_types import Interval

from govaudit.checks.options import (
    AvailabilityOptions,
    ContentOptions,
    Deduction,
    DisclosureOptions,
    Freshness,
    InteractionOptions,
    RegulationOptions,
    RuleOptions,
    Scoring,
)
from govaudit.crawler.options import (
    AdminLevel,
    CrawlerOptions,
    CrawlLimits,
    Ipv6Options,
    Network,
    Politeness,
    RenderOptions,
    RetryPolicy,
    SiteConfig,
    SiteKind,
    parse_nameserver,
    parse_resolve,
)
from govaudit.errors import ConfigError

if TYPE_CHECKING:
    from govaudit.plan import Plan

__all__ = ["AdminLevel", "AvailabilityOptions", "Config", "ConfigError", "CrawlLimits", "CrawlerOptions", "Deduction",
           "DisclosureOptions", "Freshness", "InteractionOptions", "Ipv6Options", "LedgerOptions", "MailOptions",
           "Network", "Politeness", "RegulationOptions", "RenderOptions", "RetryPolicy", "RuleOptions", "RunOptions",
           "ScheduleOptions", "Scoring", "SiteConfig", "SiteKind", "Store", "load_config", "parse_config",
           "parse_nameserver", "parse_resolve", "url_problem", "CeleryOptions", "config_dir", "store_target",
           "broker_url", "redis_url", "PlanOptions", "UnitConfig", "UserConfig", "ServeOptions", "NoticeOptions",
           "plan_of", "unit_of", "ContentOptions", "LoginOptions", "ReviewOptions", "Role"]


@dataclass(frozen=True)
class Store:
    path: str = "govaudit.sqlite"   # the SQLite file (relative to the config file), unless a URL is given
    # A database URL (postgresql://user@host/db) for a store shared by several workers. The
    # environment variable named by url_env, when set, wins (keeps the password out of the file).
    url: str = ""
    url_env: str = "GOVAUDIT_STORE_URL"
    keep_full_runs: Annotated[int, Interval(ge=1, le=10_000)] = 3      # newest runs whose snapshots keep every page body
    keep_runs: Annotated[int, Interval(ge=1, le=100_000)] = 60   # older runs keep evidence pages only; beyond this, no snapshot
    reports_dir: str = "govaudit-reports"  # `govaudit run` writes <this>/<run id>/ (relative to the config file)


@dataclass(frozen=True)
class RunOptions:
    max_concurrent_sites: Annotated[int, Interval(ge=1, le=10_000)] = 16   # sites audited at once (politeness stays per host)
    # Where pages are analysed and stored and sites judged: a worker process (the crawl keeps
    # its own core) or a thread (no process start: small audits, tests).
    judge: Literal["process", "thread"] = "process"
    # local: this process audits every site. celery: one task per site on the [celery] broker,
    # audited by `govaudit worker` processes (on this machine or others); `run` waits for them.
    engine: Literal["local", "celery"] = "local"


@dataclass(frozen=True)
class CeleryOptions:
    """The distributed engine ([run] engine = "celery"); see README, 分布式部署."""

    broker_url: str = "redis://127.0.0.1:6379/0"
    broker_url_env: str = "GOVAUDIT_BROKER_URL"     # when set, wins over broker_url (passwords stay out of files)
    # Where task results and the shared per-host politeness live: Redis; empty: the broker's URL
    # (when the broker is not Redis, per-host politeness is then per worker only).
    redis_url: str = ""
    queue: str = "govaudit"
    # Sites one worker audits at once (`govaudit worker --concurrency` overrides it).
    worker_sites: Annotated[int, Interval(ge=1, le=1000)] = 8
    # A task's time limit is [crawl] max_site_seconds plus this allowance for judging the site.
    judge_allowance_s: Annotated[float, Interval(ge=1, le=86_400)] = 600.0


@dataclass(frozen=True)
class ScheduleOptions:
    timezone: str = "Asia/Shanghai"
    audit_cron: str = "0 1 * * *"     # the nightly audit of every site
    probe_minutes: Annotated[int, Interval(ge=1, le=10_080)] = 60        # homepage availability probes (19号: 20+ a day)
    probe_timeout_s: Annotated[float, Interval(gt=0, le=600)] = 15.0    # 19号: a probe fails when not open after 15 s
    misfire_grace_s: Annotated[int, Interval(ge=0, le=604_800)] = 3600   # a run missed by less than this still runs (once)
    availability_days: Annotated[int, Interval(ge=1, le=366)] = 7       # 19号: monitored for one week
    availability_min_probes: Annotated[int, Interval(ge=0, le=1_000_000)] = 140   # 20 a day for 7 days; fewer: not judged
    availability_veto_share: Annotated[float, Interval(ge=0, le=1)] = 0.05   # failed probes / probes at or above: veto


@dataclass(frozen=True)
class LedgerOptions:
    """整改期限 (days from first sighting) by severity [U]: set by the office."""

    veto_days: Annotated[int, Interval(ge=0, le=3650)] = 7
    deduct_days: Annotated[int, Interval(ge=0, le=3650)] = 30
    notice_days: Annotated[int, Interval(ge=0, le=3650)] = 90


@dataclass(frozen=True)
class MailOptions:
    enabled: bool = False
    host: str = ""
    port: Annotated[int, Interval(ge=1, le=65_535)] = 587
    security: Literal["starttls", "ssl", "none"] = "starttls"
    sender: str = ""
    recipients: tuple[str, ...] = ()
    # Names of environment variables holding the credentials: never the secrets themselves.
    username_env: str = ""
    password_env: str = ""
    retries: Annotated[int, Interval(ge=0, le=20)] = 3
    timeout_s: Annotated[float, Interval(gt=0, le=600)] = 30.0


@dataclass(frozen=True)
class PlanOptions:
    """The office's work plan (govaudit/plan.py): a TOML file (relative to the config file),
    or the name of an example shipped in govaudit/plans/; neither: no local plan."""

    file: str = ""
    example: str = ""


@dataclass(frozen=True)
class UnitConfig:
    """A responsible unit (责任单位): sites name it in their `unit`; its notices go to `mail`."""

    name: str
    mail: tuple[str, ...] = ()
    contact: str = ""     # 联系人 shown on its notice


Role = Literal["admin", "reviewer", "viewer"]


@dataclass(frozen=True)
class UserConfig:
    """A workbench user: `govaudit user add NAME` writes the Argon2 hash, never the password.
    viewer: reads; reviewer: also reviews findings and approves another's set-aside of a
    单项否决; admin: also sees the accounts and ends their sessions. A disabled user cannot
    log in and their sessions end."""

    name: str
    password_hash: str
    display_name: str = ""
    role: Role = "reviewer"
    disabled: bool = False


@dataclass(frozen=True)
class ServeOptions:
    """`govaudit serve`, the office's workbench (README, 部署工作台)."""

    host: str = "127.0.0.1"
    port: Annotated[int, Interval(ge=1, le=65_535)] = 8080
    # Who may read without logging in: "auto": a client connected from this machine itself
    # (loopback peer, no proxy header), never with https_only; "no": nobody. ("yes" is read
    # as "auto": the network is never given anonymous reading.) Changes always need a login.
    anonymous_read: Literal["auto", "yes", "no"] = "auto"
    # Host names the workbench answers to (Host header); empty: the bind address, localhost,
    # 127.0.0.1 and ::1. Behind a proxy: the name users type, e.g. ["gzpt.example.gov.cn"].
    allowed_hosts: tuple[str, ...] = ()
    # Addresses (or networks) of reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are
    # believed; empty: none (the peer is the client).
    trusted_proxies: tuple[str, ...] = ()
    # The environment variable holding the key that signs login forms; unset: a random key
    # per start (an open login form must be reloaded after a restart).
    secret_env: str = "GOVAUDIT_SECRET"
    https_only: bool = False        # set behind a TLS proxy: cookies are then sent over HTTPS only
    session_hours: Annotated[int, Interval(ge=1, le=720)] = 12      # a session ends this long after login
    idle_minutes: Annotated[int, Interval(ge=1, le=1440)] = 30      # ... or after this long unused
    max_body_kb: Annotated[int, Interval(ge=4, le=10_240)] = 64     # larger request bodies are refused (413)
    # Password checks (Argon2) run at once, each on a thread of its own; further logins wait,
    # and beyond 8 waiting per check are refused (503), so guessing never starves the pages.
    password_checks: Annotated[int, Interval(ge=1, le=8)] = 1


@dataclass(frozen=True)
class LoginOptions:
    """Limits on password guessing at the workbench: failed logins are counted per client
    address (an IPv6 client by its /64) and per user name within window_minutes; past the
    limit that client or user is locked out, each lockout twice as long as the one before
    (up to lockout_max_minutes). Values [U]: set by the office."""

    window_minutes: Annotated[int, Interval(ge=1, le=1440)] = 15
    client_failures: Annotated[int, Interval(ge=3, le=1000)] = 20   # an office shares one address
    user_failures: Annotated[int, Interval(ge=3, le=100)] = 5
    lockout_minutes: Annotated[int, Interval(ge=1, le=1440)] = 15
    lockout_max_minutes: Annotated[int, Interval(ge=1, le=10_080)] = 1440


@dataclass(frozen=True)
class ReviewOptions:
    """The office's review of findings (govaudit/review.py)."""

    max_defer_days: Annotated[int, Interval(ge=1, le=3650)] = 180   # 暂缓整改 at most this far ahead [U]


@dataclass(frozen=True)
class NoticeOptions:
    """整改通知 per unit and the run's 通报 draft (govaudit/notices.py)."""

    office: str = "政务公开办公室"     # who issues them (落款)
    # .docx templates (docxtpl) the office edits, relative to the config file; empty: the shipped ones
    template: str = ""
    bulletin_template: str = ""
    mail_after_run: bool = False     # mail each unit its notice after every `run` (else: `govaudit notices RUN --mail`)


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
    celery: CeleryOptions = field(default_factory=CeleryOptions)
    scoring: Scoring = field(default_factory=Scoring)
    content: ContentOptions = field(default_factory=ContentOptions)
    plan: PlanOptions = field(default_factory=PlanOptions)
    serve: ServeOptions = field(default_factory=ServeOptions)
    login: LoginOptions = field(default_factory=LoginOptions)
    review: ReviewOptions = field(default_factory=ReviewOptions)
    notices: NoticeOptions = field(default_factory=NoticeOptions)
    sites: tuple[SiteConfig, ...] = ()
    units: tuple[UnitConfig, ...] = ()
    users: tuple[UserConfig, ...] = ()
    source: str | None = None  # the file it was read from, for messages

    def replace(self, **changes: Any) -> Config:
        return dataclasses.replace(self, **changes)

    @property
    def crawler(self) -> CrawlerOptions:
        """What the crawler reads."""
        return CrawlerOptions(self.crawl, self.retry, self.politeness, self.network, self.ipv6, self.render)

    @property
    def rules(self) -> RuleOptions:
        """What the rules read."""
        schedule = self.schedule
        availability = AvailabilityOptions(schedule.availability_days, schedule.availability_min_probes,
                                           schedule.availability_veto_share)
        return RuleOptions(self.freshness, self.interaction, self.disclosure, self.regulations, self.ipv6,
                           availability, self.scoring, self._content_resolved())

    def _content_resolved(self) -> ContentOptions:
        """[content] with its list files relative to the config file made absolute."""
        def resolved(name: str) -> str:
            return name if not name or Path(name).is_absolute() else str(config_dir(self) / name)

        return dataclasses.replace(self.content, wording_file=resolved(self.content.wording_file),
                                   sensitive_names_file=resolved(self.content.sensitive_names_file))


_TOP_LEVEL: dict[str, type] = {
    "crawl": CrawlLimits, "retry": RetryPolicy, "politeness": Politeness,
    "network": Network, "ipv6": Ipv6Options, "freshness": Freshness, "interaction": InteractionOptions,
    "disclosure": DisclosureOptions, "regulations": RegulationOptions, "render": RenderOptions, "store": Store,
    "scoring": Scoring,
    "run": RunOptions, "schedule": ScheduleOptions, "ledger": LedgerOptions, "mail": MailOptions,
    "celery": CeleryOptions, "content": ContentOptions, "plan": PlanOptions, "serve": ServeOptions, "notices": NoticeOptions,
    "login": LoginOptions, "review": ReviewOptions,
}
_ARRAYS: dict[str, type] = {"units": UnitConfig, "users": UserConfig}


def config_dir(config: Config) -> Path:
    return Path(config.source).parent if config.source else Path.cwd()


def store_target(config: Config) -> str | Path:
    """The store this config names: the URL in the environment variable [store] url_env,
    else [store] url, else the SQLite file [store] path (relative to the config file)."""
    url = (os.environ.get(config.store.url_env) if config.store.url_env else None) or config.store.url
    if url:
        return url
    path = Path(config.store.path)
    return path if path.is_absolute() else config_dir(config) / path


def plan_of(config: Config) -> Plan:
    """The plan the config names (loaded once per file and change), or NO_PLAN."""
    from govaudit.plan import NO_PLAN, example_plan, load_plan

    if config.plan.example:
        return example_plan(config.plan.example)
    if not config.plan.file:
        return NO_PLAN
    path = Path(config.plan.file)
    path = path if path.is_absolute() else config_dir(config) / path
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        stamp = 0
    return _cached_plan(path, stamp) if stamp else load_plan(path)


@functools.lru_cache(maxsize=8)
def _cached_plan(path: Path, stamp: int) -> Plan:
    from govaudit.plan import load_plan

    return load_plan(path)


def unit_of(config: Config, name: str | None) -> UnitConfig | None:
    return next((unit for unit in config.units if unit.name == name), None)


def broker_url(config: Config) -> str:
    env = config.celery.broker_url_env
    return (os.environ.get(env) if env else None) or config.celery.broker_url


def redis_url(config: Config) -> str | None:
    """Redis of the distributed engine (results, shared politeness); None if there is none."""
    url = config.celery.redis_url or broker_url(config)
    return url if url.startswith(("redis://", "rediss://", "unix://")) else None


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
            elif name in _ARRAYS:
                values[name] = self.array(name, value)
            elif name in _TOP_LEVEL:
                if not isinstance(value, dict):
                    self.fail(name, f"应为表 [{name}]")
                values[name] = self.group(_TOP_LEVEL[name], value, name)
            else:
                self.fail(name, f"未知的配置节“{name}”；可用的有：{', '.join(sorted([*_TOP_LEVEL, *_ARRAYS, 'sites']))}")
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

    def array(self, name: str, value: Any) -> tuple[Any, ...]:
        """[[units]] or [[users]]: tables with a unique name."""
        if not isinstance(value, list):
            self.fail(name, f"应写成 [[{name}]] 表数组")
        items = []
        for index, item in enumerate(value):
            if not isinstance(item, dict):
                self.fail(f"{name}[{index}]", f"每个 [[{name}]] 应为表")
            items.append(self.group(_ARRAYS[name], item, f"{name}[{index}]"))
        names = [i.name for i in items]
        for index, entry in enumerate(names):
            if not entry.strip():
                self.fail(f"{name}[{index}].name", "名称不能为空")
            if names.count(entry) > 1:
                self.fail(name, f"名称“{entry}”重复")
        return tuple(items)

    def group(self, cls: type, table: dict[str, Any], prefix: str) -> Any:
        hints = typing.get_type_hints(cls, include_extras=True)
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
        if origin is Annotated:
            checked = self.value(args[0], value, key)
            for bound in (m for m in hint.__metadata__ if isinstance(m, Interval)):
                self.check_bound(bound, checked, key)
            return checked
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

    def check_bound(self, bound: Interval, value: Any, key: str) -> None:
        if value is None:
            return
        low = f"不小于 {bound.ge}" if bound.ge is not None else (f"大于 {bound.gt}" if bound.gt is not None else "")
        high = f"不大于 {bound.le}" if bound.le is not None else (f"小于 {bound.lt}" if bound.lt is not None else "")
        below = (bound.ge is not None and value < bound.ge) or (bound.gt is not None and value <= bound.gt)
        above = (bound.le is not None and value > bound.le) or (bound.lt is not None and value >= bound.lt)
        if below or above:
            self.fail(key, f"超出范围：{value}（应{low}{'、' if low and high else ''}{high}）")

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

    def check_serve(self, serve: ServeOptions) -> None:
        for index, proxy in enumerate(serve.trusted_proxies):
            try:
                ipaddress.ip_network(proxy, strict=False)
            except ValueError:
                self.fail(f"serve.trusted_proxies[{index}]", f"“{proxy}”不是地址或网络（如 127.0.0.1、10.20.0.0/24）")
        for index, host in enumerate(serve.allowed_hosts):
            if not re.fullmatch(r"(\*\.)?[A-Za-z0-9.\-]+|\[?[0-9A-Fa-f:.]+\]?", host):
                self.fail(f"serve.allowed_hosts[{index}]", f"“{host}”不是主机名（只写名称，不带 http:// 和端口，"
                                                           "如 gzpt.example.gov.cn 或 *.example.gov.cn）")

    def check_url(self, key: str, url: str) -> None:
        problem = url_problem(url)
        if problem:
            self.fail(key, problem)

    def check_semantics(self, config: Config) -> None:
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
        self.check_serve(config.serve)
        self.check_mail(config.mail)
        self.check_engine(config)
        self.check_plan(config)
        self.check_units(config)
        self.check_word_lists(config)
        for key in ("template", "bulletin_template"):
            name = getattr(config.notices, key)
            if name and not (Path(name) if Path(name).is_absolute() else Path(self.source).parent / name).is_file():
                self.fail(f"notices.{key}", f"模板文件不存在：{name}（相对于配置文件所在目录）")
        from govaudit.checks.registry import all_rules  # late: the registry imports rule modules

        known = {rule.id for rule in all_rules()}
        for rule_id in config.scoring.deductions:
            if rule_id not in known:
                self.fail(f"scoring.deductions.{rule_id}", f"没有编号为“{rule_id}”的检查规则")


    def check_engine(self, config: Config) -> None:
        url = config.store.url
        if url and not url.startswith(("sqlite://", "postgresql://", "postgresql+psycopg://")):
            self.fail("store.url", f"应为 postgresql://用户@主机:端口/库名 或 sqlite:///文件路径，实际为 {url!r}")
        broker = config.celery.broker_url
        if not re.match(r"^(redis|rediss|amqp|amqps|pyamqp|sqs|memory)://", broker):
            self.fail("celery.broker_url", f"应为任务队列地址，如 redis://127.0.0.1:6379/0，实际为 {broker!r}")
        extra = config.celery.redis_url
        if extra and not extra.startswith(("redis://", "rediss://", "unix://")):
            self.fail("celery.redis_url", f"应为 Redis 地址，如 redis://127.0.0.1:6379/1，实际为 {extra!r}")

    def check_plan(self, config: Config) -> None:
        from govaudit.plan import example_plan

        if config.plan.file and config.plan.example:
            self.fail("plan.example", "file 和 example 只能填一个")
        if config.plan.example:
            try:
                example_plan(config.plan.example)
            except ConfigError as exc:
                self.fail("plan.example", exc.detail)
        elif config.plan.file:
            plan_of(config)   # a bad plan file is an error now, naming its own file and line

    def check_word_lists(self, config: Config) -> None:
        from govaudit.checks.content.dictionary import ListError, file_entries

        content = config.rules.content
        for key, names in (("wording_file", False), ("sensitive_names_file", True)):
            path = getattr(content, key)
            if path:
                try:
                    file_entries(path, names=names)
                except ListError as exc:
                    self.fail(f"content.{key}", str(exc))

    def check_units(self, config: Config) -> None:
        if not config.units:
            return
        names = {unit.name for unit in config.units}
        for index, site in enumerate(config.sites):
            if site.unit and site.unit not in names:
                self.fail(f"sites[{index}].unit", f"责任单位“{site.unit}”不在 [[units]] 中；已配置的有：{'、'.join(sorted(names))}")
        for index, unit in enumerate(config.units):
            for address in unit.mail:
                if "@" not in address or any(c in address for c in " ,;<>"):
                    self.fail(f"units[{index}].mail", f"邮件地址格式错误：{address!r}")

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
