"""site.domain: a government site lives under .gov.cn or .政务 (国办发〔2017〕47号)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from urllib.parse import urlsplit

from govaudit.checks.base import Outcome, Rule, RuleContext, Severity
from govaudit.crawler.snapshot import SiteSnapshot

_GOV_SUFFIXES = (".gov.cn", ".xn--zfr164b")  # .政务 in punycode
_LOCAL_SUFFIXES = (".localhost", ".test", ".invalid", ".example", ".local")


def is_local_test_host(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
        return True
    except ValueError:
        return host == "localhost" or host.endswith(_LOCAL_SUFFIXES)


def check(snapshot: SiteSnapshot, context: RuleContext) -> Iterator[Outcome]:
    home = snapshot.homepage
    url = home.final_url if home is not None else snapshot.start_url
    host = (urlsplit(url).hostname or "").lower()
    if is_local_test_host(host):
        yield RULE.not_checked(f"“{host}”是本地测试主机，不检查域名", url)
        return
    if not host.endswith(_GOV_SUFFIXES):
        yield RULE.finding(url, {"host": host, "expected": ".gov.cn 或 .政务"})


RULE = Rule(
    id="site.domain",
    title="域名不规范",
    severity=Severity.NOTICE,
    basis="国办发〔2017〕47号《政府网站发展指引》（政府网站使用 .gov.cn 或 .政务 域名）",
    explanation="网站（首页跳转后的）主机名应以 .gov.cn 或 .政务 结尾。本地测试主机（IP 地址、localhost）不检查。",
    messages={"default": "网站域名“{host}”不在 .gov.cn 或 .政务 之下"},
    check=check,
    needs_homepage=False,
)
