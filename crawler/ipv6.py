"""The IPv6 stage of a crawl (plan task 31): DNS, per-family homepage fetches, content
comparison, 二级/三级 link support, subresource hosts. Measures only; rules judge.

Every connection goes to an explicit address of one family (never the OS's choice), with
the host name kept for the Host header and TLS SNI.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from urllib.parse import urlsplit

from govaudit.crawler.content_compare import compare
from govaudit.crawler.encoding import decode_body
from govaudit.crawler.fetch import Fetcher
from govaudit.crawler.index import CrawlIndex
from govaudit.crawler.options import CrawlerOptions
from govaudit.crawler.politeness import HostLimiter
from govaudit.crawler.resolve import DnsClient, FixedAddresses
from govaudit.crawler.snapshot import DepthCheck, DnsAnswer, FamilyFetch, HostDns, Ipv6Probe, ResourceHost, SiteSnapshot

_FAMILIES = (("ipv4", "A"), ("ipv6", "AAAA"))


class Ipv6Stage:
    def __init__(self, config: CrawlerOptions, dns: DnsClient, limiter: HostLimiter) -> None:
        self.config = config
        self.options = config.ipv6
        self.dns = dns
        self.limiter = limiter
        self._hosts: dict[str, HostDns] = {}

    async def run(self, snapshot: SiteSnapshot, index: CrawlIndex) -> Ipv6Probe:
        assert snapshot.homepage is not None
        final_url = snapshot.homepage.final_url
        probe = Ipv6Probe(site_host=_host(final_url))
        await self._resolve_hosts([_host(snapshot.start_url), probe.site_host])
        await self._name_servers(probe)
        await self._homepage(probe, snapshot.start_url, final_url)
        await self._depth(probe, index)
        await self._resource_hosts(probe, index)
        probe.hosts = tuple(self._hosts.values())
        return probe

    # -- DNS -------------------------------------------------------------------------------

    async def _resolve_hosts(self, hosts: Iterable[str]) -> None:
        wanted = [h for h in dict.fromkeys(hosts) if h and h not in self._hosts]
        answers = await asyncio.gather(*(self._host_dns(h) for h in wanted))
        self._hosts.update(zip(wanted, answers))

    async def _host_dns(self, host: str) -> HostDns:
        a, aaaa = await asyncio.gather(self.dns.query(host, "A"), self.dns.query(host, "AAAA"))
        return HostDns(host, a, aaaa)

    async def _name_servers(self, probe: Ipv6Probe) -> None:
        """Find the zone by asking NS from the host name upwards, then each server's addresses."""
        labels = probe.site_host.split(".")
        for start in range(len(labels) - 1):
            candidate = ".".join(labels[start:])
            answer = await self.dns.query(candidate, "NS")
            if answer.is_definite_absence:
                continue
            probe.ns = answer
            if answer.ok:
                probe.zone = candidate
                probe.nameservers = tuple(await asyncio.gather(*(self._host_dns(n) for n in answer.records)))
            return
        probe.ns = DnsAnswer(probe.site_host, "NS", "nodata", detail="直到顶级域都没有 NS 记录")

    # -- homepage over each family -----------------------------------------------------------

    async def _homepage(self, probe: Ipv6Probe, start_url: str, final_url: str) -> None:
        fetches: list[FamilyFetch] = []
        bodies: dict[str, bytes] = {}
        for url in dict.fromkeys([_origin_url(start_url), final_url]):
            for family, rdtype in _FAMILIES:
                fetch, body = await self._fetch_family(url, family, rdtype, want_body=url == final_url)
                fetches.append(fetch)
                if body is not None and fetch.answered:
                    bodies[family] = body
        probe.fetches = tuple(fetches)
        self._compare(probe, final_url, bodies)

    async def _fetch_family(self, url: str, family: str, rdtype: str, *,
                            want_body: bool) -> tuple[FamilyFetch, bytes | None]:
        host = _host(url)
        answer = getattr(self._hosts[host], rdtype.lower())
        if not answer.records:
            return FamilyFetch(url, family, None, None, f"无 {rdtype} 记录（{answer.status}）"), None  # type: ignore[arg-type]
        address = answer.records[0]
        async with Fetcher(self.config, self.limiter, FixedAddresses({host: [address]}), timings=True) as fetcher:
            fetched = await fetcher.fetch(url, max_bytes=self.options.max_body_bytes if want_body else 0,
                                          follow=lambda _: False)
        outcome = fetched.outcome
        last = outcome.attempts[-1] if outcome.attempts else None
        status = outcome.status if outcome.error is None else None
        return FamilyFetch(url, family, address, status, outcome.error, fetched.size,  # type: ignore[arg-type]
                           last.connect_s if last else None, last.first_byte_s if last else None,
                           last.elapsed_s if last else None, len(outcome.attempts)), fetched.body

    def _compare(self, probe: Ipv6Probe, url: str, bodies: dict[str, bytes]) -> None:
        probe.compared_url = url
        if set(bodies) != {"ipv4", "ipv6"}:
            probe.comparison_note = "未能通过 IPv4 和 IPv6 都取得首页内容，无法比较"
            return
        statuses = {f.family: f.status for f in probe.fetches if f.url == url}
        if statuses.get("ipv4") != statuses.get("ipv6"):
            probe.comparison_note = f"两种协议返回的状态码不同（IPv4 {statuses.get('ipv4')}，IPv6 {statuses.get('ipv6')}）"
            return
        v4 = decode_body(bodies["ipv4"], None)[0]
        v6 = decode_body(bodies["ipv6"], None)[0]
        result = compare(v4, v6)
        probe.difference, probe.first_differences = result.difference, result.first_differences

    # -- 二级 / 三级 links -------------------------------------------------------------------

    async def _depth(self, probe: Ipv6Probe, index: CrawlIndex) -> None:
        probe.depth_found = tuple(index.level_found.items())
        sample = [(level, url) for level, urls in index.level_pages.items()
                  for url in urls[: self.options.depth_sample_cap]]
        await self._resolve_hosts(_host(url) for _, url in sample)
        v6 = {h.host: list(h.aaaa.records) for h in self._hosts.values() if h.aaaa.records}
        async with Fetcher(self.config, self.limiter, FixedAddresses(v6)) as fetcher:
            outcomes = await asyncio.gather(*(fetcher.check(url) for _, url in sample))
        probe.depth = tuple(
            DepthCheck(url, level, o.status if o.error is None else None, o.error)
            for (level, url), o in zip(sample, outcomes))

    # -- subresources on other hosts -----------------------------------------------------------

    async def _resource_hosts(self, probe: Ipv6Probe, index: CrawlIndex) -> None:
        hosts = list(index.resources)[: self.options.max_resource_hosts]
        answers = await asyncio.gather(*(self.dns.query(h, "AAAA") for h in hosts))
        probe.resource_hosts = tuple(ResourceHost(h, a, tuple(index.resources[h])) for h, a in zip(hosts, answers))


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def _origin_url(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/"
