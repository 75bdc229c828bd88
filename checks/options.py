"""What the rules read of the configuration: thresholds and scoring, as small frozen types.

govaudit/config.py loads, validates and composes them ([freshness], [interaction],
[disclosure], [regulations], [scoring], the availability thresholds of [schedule]); every
numeric field carries its bounds (annotated_types.Interval), which the loader enforces.
Defaults marked [U] are unverified values the office may change; [V] are from the sources.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Literal

from annotated_types import Interval

from govaudit.crawler.options import Ipv6Options

Days = Annotated[int, Interval(ge=0, le=36_500)]
Count = Annotated[int, Interval(ge=0, le=1_000_000)]
Points = Annotated[float, Interval(ge=0, le=100)]


@dataclass(frozen=True)
class Freshness:
    """国办秘函〔2019〕19号 首页/栏目不更新; ages are measured from --today."""

    news_days: Days = 14               # 动态/要闻 columns [V]
    notice_days: Days = 183            # 通知公告/政策文件 columns: six months [V]
    other_days: Days = 0               # other columns; 0: not judged (the indicators set no limit)
    homepage_days: Days = 14           # [V]
    veto_stale_columns: Count = 5      # (a) stale 动态 + first-level 通知公告/政策文件 columns [V]
    veto_unupdated_columns: Count = 10  # (b) columns that should be updated and are not [V]
    veto_blank_columns: Count = 5      # (c) 空白栏目 [V]


@dataclass(frozen=True)
class InteractionOptions:
    unanswered_days: Days = 90         # 19号: unanswered for more than 3 months [V]
    window_days: Days = 365            # ... among messages of the past year [V]
    # Site kinds that must offer an online consultation channel of their own: a department of
    # a 集约化 district answers through the portal's (a site without one is then not judged) [U].
    channel_site_kinds: tuple[str, ...] = ("portal",)


@dataclass(frozen=True)
class DisclosureOptions:
    # Site kinds whose 法定主动公开内容 is checked category by category: a department
    # publishes what its duties cover, so by default only portals are held to all 15.
    statutory_site_kinds: tuple[str, ...] = ("portal",)
    # [U] A published 政务新媒体 list older than this is a notice (清单管理, 动态更新).
    newmedia_list_days: Days = 365


@dataclass(frozen=True)
class RegulationOptions:
    # [U] A page's version may be dated by the 常务会议 that passed it, weeks before the
    # library's 公布 date: a version within this many days of the latest counts as current.
    version_tolerance_days: Days = 120
    late_publication_working_days: Days = 20   # 条例 第二十六条 [V]
    # Site kinds that must keep a 规章/规范性文件 library of their own: a department's documents
    # are usually published in the portal's library (a portal duty unless configured).
    library_site_kinds: tuple[str, ...] = ("portal",)


@dataclass(frozen=True)
class AvailabilityOptions:
    """site.availability over the homepage probes ([schedule] availability_*)."""

    days: Days = 7                     # 19号: monitored for one week
    min_probes: Count = 140            # 20 a day for 7 days; fewer: not judged
    veto_share: Annotated[float, Interval(ge=0, le=1)] = 0.05   # failed probes / probes at or above this: veto


@dataclass(frozen=True)
class Deduction:
    points: Points = 0.0
    # Points for a finding on the homepage, where it differs (links.dead).
    homepage_points: Points | None = None
    # No indicator loses more than its own points (19号 scoring logic).
    cap: Points = 100.0


@dataclass(frozen=True)
class Scoring:
    pass_mark: Points = 60.0
    # The office's points, rule by rule ([scoring.deductions."rule.id"]); a rule not named
    # here scores with the default points of its own declaration (Rule.points).
    deductions: dict[str, Deduction] = field(default_factory=dict)


@dataclass(frozen=True)
class ContentOptions:
    """内容安全 (content.*): faked dates and word lists."""

    future_tolerance_days: Annotated[int, Interval(ge=0, le=30)] = 1   # a site on Beijing time may be a day ahead
    # The office's word lists (absolute paths once composed by govaudit.config; "" = none)
    wording_file: str = ""                 # more wrong -> right entries, format of checks/data/wording.toml
    sensitive_names_file: str = ""         # [[names]] name, note: e.g. officials removed from office
    wording_severe: Literal["veto", "deduct", "notice"] = "veto"     # the 严重 list
    wording_other: Literal["veto", "deduct", "notice"] = "notice"    # the 其他 list
    sensitive_names_severity: Literal["veto", "deduct", "notice"] = "notice"
    id_number_severity: Literal["veto", "deduct", "notice"] = "veto"   # privacy.id_number (19号 严重问题: a leak)


@dataclass(frozen=True)
class RuleOptions:
    """Everything the rules read, composed by govaudit.config.Config.rules."""

    freshness: Freshness = field(default_factory=Freshness)
    interaction: InteractionOptions = field(default_factory=InteractionOptions)
    disclosure: DisclosureOptions = field(default_factory=DisclosureOptions)
    regulations: RegulationOptions = field(default_factory=RegulationOptions)
    ipv6: Ipv6Options = field(default_factory=Ipv6Options)
    availability: AvailabilityOptions = field(default_factory=AvailabilityOptions)
    scoring: Scoring = field(default_factory=Scoring)
    content: ContentOptions = field(default_factory=ContentOptions)
