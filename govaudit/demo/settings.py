"""The configuration the demo audits with: built-in defaults, demo hosts, quick politeness."""

from __future__ import annotations

import dataclasses
from importlib import resources
from pathlib import Path

from govaudit.config import (
    Config,
    ContentOptions,
    CrawlLimits,
    InteractionOptions,
    Network,
    NoticeOptions,
    PlanOptions,
    Politeness,
    RegulationOptions,
    RetryPolicy,
    SiteConfig,
    UnitConfig,
)
from govaudit.demo.server import DEPARTMENT, PORTAL, demo_resolve_map

OFFICE = "珠海高新区党政办公室（演示）"
UNITS = (UnitConfig(name=OFFICE, mail=("zwgk@demo.invalid",), contact="宣传科 0756-0000000（演示）"),
         UnitConfig(name="珠海高新区科技创新局（演示）", mail=("kcj@demo.invalid",), contact="办公室（演示）"))
# What `govaudit serve --config <out>/config.toml` reads: the demo's store, plan and units.
_WORKBENCH_CONFIG = """# govaudit demo: the workbench over the demo's results (govaudit serve --config this file).
[store]
path = "govaudit.sqlite"

[plan]
example = "zhuhai-gaoxin-2021"

[notices]
office = "{office}"
{units}"""


def demo_config(port: int) -> Config:
    base = Config()
    return base.replace(
        plan=PlanOptions(example="zhuhai-gaoxin-2021"),
        # The office's list of names (fictional) the portal's 领导之窗 still shows.
        content=ContentOptions(sensitive_names_file=str(resources.files("govaudit.demo").joinpath("sensitive_names.toml"))),
        notices=NoticeOptions(office=OFFICE),
        units=UNITS,
        crawl=dataclasses.replace(CrawlLimits(), max_pages=100, max_site_seconds=120.0),
        # Loopback answers at once: short waits keep the demo quick; retries still happen.
        retry=dataclasses.replace(RetryPolicy(), timeout_s=5.0, backoff_s=0.2),
        politeness=dataclasses.replace(Politeness(), min_interval_s=0.02),
        network=Network(resolve=demo_resolve_map(), resolve_only_mapped=True),
        # The demo's 科技创新局 issues 规范性文件 of its own (科技扶持政策): the office holds it,
        # like the portal, to a library of its own (by default only portals are).
        regulations=dataclasses.replace(RegulationOptions(), library_site_kinds=("portal", "department")),
        # ... and the 科技创新局 is not part of a 集约化 platform: it answers consultations itself,
        # so it must offer a channel of its own (by default only portals must).
        interaction=dataclasses.replace(InteractionOptions(), channel_site_kinds=("portal", "department")),
        sites=(
            SiteConfig(name="高新区门户网站（演示）", url=f"http://{PORTAL}:{port}/",
                       unit=OFFICE, kind="portal"),
            SiteConfig(name="科技创新局网站（演示）", url=f"http://{DEPARTMENT}:{port}/",
                       unit="珠海高新区科技创新局（演示）", kind="department"),
        ),
    )


def write_workbench_config(out_dir: Path) -> Path:
    """<out>/config.toml for `govaudit serve` over the demo (users added later are kept)."""
    path = out_dir / "config.toml"
    if path.exists():
        return path
    units = "".join(f'\n[[units]]\nname = "{u.name}"\nmail = {list(u.mail)!r}\ncontact = "{u.contact}"\n'.replace("'", '"')
                    for u in UNITS)
    path.write_text(_WORKBENCH_CONFIG.format(office=OFFICE, units=units), encoding="utf-8")
    return path
