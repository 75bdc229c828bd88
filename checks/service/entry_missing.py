"""service.entry_missing: the site does not link to its 政务服务 platform (网上办事).

Found when a page at most one click from the homepage links with a text such as 政务服务,
网上办事, 一网通办, or to a host of a 政务服务 platform (zwfw...). Nothing is said when the
homepage shows no readable links, or runs scripts and was not rendered (an entry drawn by
script is not in its HTML)."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

from govaudit.checks.base import Outcome, Rule, RuleContext, Severity
from govaudit.checks.coverage import near_home_unknown
from govaudit.checks.disclosure.common import homepage_has_links
from govaudit.checks.service.common import BASIS_SERVICE, homepage_hides_script_content
from govaudit.checks.sitemodel.columns import data, site_model
from govaudit.crawler.snapshot import SiteSnapshot


def check(snapshot: SiteSnapshot, context: RuleContext) -> Iterator[Outcome]:
    model = site_model(snapshot, context)
    near_home = model.near_home
    for _text, url in model.find_links(data()["service"]["entry"]):
        if any(p in near_home for p in model.sources_of(url)):
            return
    hosts = data()["service"]["hosts"]
    for page_url in near_home:
        page = snapshot.pages.get(page_url)
        for link in page.links if page is not None else ():
            host = urlsplit(link.url).hostname or ""
            if any(part in host.split(".") for part in hosts):
                return
    if not homepage_has_links(snapshot) or homepage_hides_script_content(snapshot):
        yield RULE.not_checked("首页没有可读的链接，或含脚本而未经浏览器渲染（入口可能由脚本生成），无法判断有无网上办事入口")
        return
    unread = near_home_unknown(snapshot, context)
    if unread:
        yield RULE.not_checked(f"首页上没有网上办事入口，{unread}")
        return
    yield RULE.finding(snapshot.start_url, {"searched": "首页及其下一层页面中链接文字含“政务服务”“网上办事”“一网通办”等，"
                                                       "或链接到政务服务平台域名的入口",
                                            "pages_checked": len(near_home)})


RULE = Rule(
    id="service.entry_missing",
    title="没有网上办事入口",
    severity=Severity.NOTICE,
    basis=BASIS_SERVICE + "；国办发〔2017〕47号《政府网站发展指引》（办事服务）",
    explanation="首页及其下一层页面中找不到指向政务服务平台（网上办事）的入口：链接文字含“政务服务”“网上办事”“一网通办”等，"
                "或链接到政务服务平台的域名（如 zwfw）。首页没有可读链接，或含脚本而未经浏览器渲染时不判断。",
    messages={"default": "首页及其下一层页面中未见网上办事（政务服务）入口"},
    check=check,
    advice="在首页显著位置设置“政务服务”入口，链接到本地区政务服务网的对应页面。",
)
