"""The configuration the demo audits with: built-in defaults, demo hosts, quick politeness."""

from __future__ import annotations

import dataclasses

from govaudit.config import Config, CrawlLimits, Network, Politeness, RegulationOptions, RetryPolicy, SiteConfig
from govaudit.demo.server import DEPARTMENT, PORTAL, demo_resolve_map


def demo_config(port: int) -> Config:
    base = Config()
    return base.replace(
        crawl=dataclasses.replace(CrawlLimits(), max_pages=100, max_site_seconds=120.0),
        # Loopback answers at once: short waits keep the demo quick; retries still happen.
        retry=dataclasses.replace(RetryPolicy(), timeout_s=5.0, backoff_s=0.2),
        politeness=dataclasses.replace(Politeness(), min_interval_s=0.02),
        network=Network(resolve=demo_resolve_map(), resolve_only_mapped=True),
        # The demo's 科技创新局 issues 规范性文件 of its own (科技扶持政策): the office holds it,
        # like the portal, to a library of its own (by default only portals are).
        regulations=dataclasses.replace(RegulationOptions(), library_site_kinds=("portal", "department")),
        sites=(
            SiteConfig(name="高新区门户网站（演示）", url=f"http://{PORTAL}:{port}/",
                       unit="珠海高新区党政办公室（演示）", kind="portal"),
            SiteConfig(name="科技创新局网站（演示）", url=f"http://{DEPARTMENT}:{port}/",
                       unit="珠海高新区科技创新局（演示）", kind="department"),
        ),
    )
