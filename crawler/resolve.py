"""Name resolution under the audit's control, plugged into httpx.

The crawler never lets the operating system pick addresses behind its back: every host
name is answered by a `Resolver` (the `--resolve` map, then the configured name servers via
dnspython, else the system resolver), and `ResolvingTransport` connects to those addresses
while keeping the host name for the Host header and TLS SNI. `DnsClient` asks single
questions (A, AAAA, CNAME, NS) and says precisely why an answer is missing.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
import typing
from typing import Protocol

import dns.asyncresolver
import dns.exception
import dns.resolver
import httpcore
import httpx

from govaudit.crawler.failures import ClassifiedConnectError, Failure, ResolutionFailed
from govaudit.crawler.netstream import SpeedLimit, connect_tcp
from govaudit.crawler.options import Network, parse_nameserver, parse_resolve
from govaudit.crawler.snapshot import DnsAnswer

# A DnsAnswer status -> the failure of a lookup that ended with it.
_LOOKUP_FAILURES = {"nxdomain": Failure.DNS_NXDOMAIN, "nodata": Failure.DNS_NODATA, "timeout": Failure.DNS_TIMEOUT,
                    "servfail": Failure.DNS_ERROR, "error": Failure.DNS_ERROR, "not_asked": Failure.DNS_NOT_ASKED}


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
        return True
    except ValueError:
        return False


def _family_of(address: str) -> str:
    return "AAAA" if ":" in address else "A"


class DnsClient:
    """Single DNS questions, answered by the resolve map or by dnspython."""

    def __init__(self, network: Network) -> None:
        self.static: dict[str, list[str]] = {}
        for item in network.resolve:
            host, addr = parse_resolve(item)
            self.static.setdefault(host, []).append(addr)
        self.only_mapped = network.resolve_only_mapped
        self.timeout = network.dns_timeout_s
        self.has_nameservers = bool(network.nameservers)
        self._resolver: dns.asyncresolver.Resolver | None = None
        if network.nameservers:
            self._resolver = dns.asyncresolver.Resolver(configure=False)
            servers = [parse_nameserver(s) for s in network.nameservers]
            self._resolver.nameservers = [addr for addr, _ in servers]
            self._resolver.nameserver_ports = {addr: port for addr, port in servers}
            self._resolver.lifetime = self.timeout

    def can_ask_dns(self) -> bool:
        """True when questions beyond the resolve map can be put to a DNS server."""
        return self.has_nameservers or not (self.only_mapped or self.static)

    def why_not_asked(self) -> str:
        if self.only_mapped:
            return "只使用了解析映射（resolve_only_mapped），未查询 DNS"
        return "主机由 --resolve 指定且未配置 DNS 服务器（[network] nameservers），无法查询"

    async def query(self, name: str, rdtype: str) -> DnsAnswer:
        name = name.lower().rstrip(".")
        if name in self.static and rdtype in ("A", "AAAA"):
            records = tuple(a for a in self.static[name] if _family_of(a) == rdtype)
            return DnsAnswer(name, rdtype, "ok" if records else "nodata", records, source="resolve_map")
        if self.only_mapped or (name in self.static and not self.has_nameservers):
            return DnsAnswer(name, rdtype, "not_asked", detail=self.why_not_asked(), source="none")
        return await self._ask(name, rdtype)

    async def _ask(self, name: str, rdtype: str) -> DnsAnswer:
        resolver = self._resolver or self._system_resolver()
        try:
            answer = await resolver.resolve(name, rdtype, lifetime=self.timeout, search=False)
        except dns.resolver.NXDOMAIN:
            return DnsAnswer(name, rdtype, "nxdomain")
        except dns.resolver.NoAnswer:
            return DnsAnswer(name, rdtype, "nodata")
        except dns.exception.Timeout as exc:
            return DnsAnswer(name, rdtype, "timeout", detail=str(exc)[:300])
        except dns.resolver.NoNameservers as exc:
            return DnsAnswer(name, rdtype, "servfail", detail=str(exc)[:300])
        except dns.exception.DNSException as exc:
            return DnsAnswer(name, rdtype, "error", detail=f"{type(exc).__name__}: {exc}"[:300])
        records = tuple(r.to_text().rstrip(".") for r in answer)
        chain = tuple(str(rrset[0].target).rstrip(".") for rrset in answer.chaining_result.cnames)
        return DnsAnswer(name, rdtype, "ok", records, cnames=chain)

    def _system_resolver(self) -> dns.asyncresolver.Resolver:
        if self._resolver is None:
            self._resolver = dns.asyncresolver.Resolver()
        return self._resolver


class AddressSource(Protocol):
    async def resolve(self, host: str) -> list[str]: ...


class Resolver:
    """Addresses for the crawl: the resolve map, then DNS (dnspython), else the system."""

    def __init__(self, network: Network) -> None:
        self.dns = DnsClient(network)
        self.timeout = network.dns_timeout_s
        self._cache: dict[str, list[str]] = {}

    async def resolve(self, host: str) -> list[str]:
        """Addresses for `host`, IPv4 first: the crawl measures the site as the national
        indicators do, and IPv6 gets its own stage (crawler/ipv6.py), so that a broken IPv6
        service is reported once as an IPv6 finding, never as dead links."""
        host = host.lower().rstrip(".")
        if _is_ip(host):
            return [host.strip("[]")]
        if host not in self._cache:
            if host in self.dns.static or self.dns.only_mapped or self.dns.has_nameservers:
                self._cache[host] = await self._dns_lookup(host)
            else:
                self._cache[host] = await self._system_lookup(host)
        return list(self._cache[host])

    async def _dns_lookup(self, host: str) -> list[str]:
        answers = await asyncio.gather(self.dns.query(host, "A"), self.dns.query(host, "AAAA"))
        addresses = [r for answer in answers for r in answer.records]
        if addresses:
            return addresses
        failure = next((a for a in answers if not a.is_definite_absence), answers[0])
        raise ResolutionFailed(host, _LOOKUP_FAILURES.get(failure.status, Failure.DNS_ERROR), failure.detail)

    async def _system_lookup(self, host: str) -> list[str]:
        loop = asyncio.get_running_loop()
        try:
            infos = await asyncio.wait_for(
                loop.getaddrinfo(host, None, type=socket.SOCK_STREAM), timeout=self.timeout)
        except TimeoutError:
            raise ResolutionFailed(host, Failure.DNS_TIMEOUT) from None
        except socket.gaierror as exc:
            absent = exc.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", -5))
            raise ResolutionFailed(host, Failure.DNS_NXDOMAIN if absent else Failure.DNS_ERROR, str(exc)) from None
        seen: list[str] = []
        for _family, *_rest, sockaddr in infos:
            addr = str(sockaddr[0])
            if addr not in seen:
                seen.append(addr)
        return sorted(seen, key=lambda a: 1 if ":" in a else 0)


class FixedAddresses:
    """Answers each host with addresses measured beforehand (one address family, say)."""

    def __init__(self, addresses: dict[str, list[str]]) -> None:
        self.addresses = addresses

    async def resolve(self, host: str) -> list[str]:
        host = host.lower().rstrip(".")
        if _is_ip(host):
            return [host.strip("[]")]
        if not self.addresses.get(host):
            raise ResolutionFailed(host, Failure.DNS_NODATA, "(no address of this family)")
        return list(self.addresses[host])


class AddressGuard:
    """Keeps the crawler off addresses it has no business with: a page may link to a
    router's admin page or a cloud metadata address. Public addresses are allowed; others
    only when they are the audited site's own (`trust`) or in configured networks.

    With `only` (resolve_only_mapped), nothing else is contacted at all: only the addresses
    of the resolve map and the audited site's own, IP-literal links included."""

    def __init__(self, allow_networks: tuple[str, ...] = (), only: set[str] | None = None) -> None:
        self.networks = [ipaddress.ip_network(n, strict=False) for n in allow_networks]
        self.trusted: set[str] = set()
        self.trusted_hosts: set[str] = set()
        self.only = only

    @classmethod
    def from_network(cls, network: Network) -> AddressGuard:
        only = ({parse_resolve(item)[1].strip("[]") for item in network.resolve}
                if network.resolve_only_mapped else None)
        return cls(network.allow_networks, only)

    def trust(self, addresses: list[str]) -> None:
        self.trusted.update(addresses)

    def trust_host(self, host: str) -> None:
        """The homepage moved there: that host is the site now, wherever it points."""
        self.trusted_hosts.add(host.lower().strip("[]"))

    def permits(self, host: str, address: str) -> bool:
        ip = ipaddress.ip_address(address.strip("[]"))
        if str(ip) in self.trusted or host.lower().strip("[]") in self.trusted_hosts:
            return True
        configured = any(ip in network for network in self.networks)
        if self.only is not None:
            return str(ip) in self.only or configured
        return ip.is_global or configured


class _ResolvingBackend(httpcore.AsyncNetworkBackend):
    """Connects to the addresses the resolver gives, one after another, if the guard allows."""

    def __init__(self, resolver: AddressSource, guard: AddressGuard | None = None,
                 speed: SpeedLimit | None = None) -> None:
        self.resolver = resolver
        self.guard = guard
        self.speed = speed

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: typing.Iterable[typing.Any] | None = None,
                          ) -> httpcore.AsyncNetworkStream:
        try:
            addresses = await self.resolver.resolve(host)
        except ResolutionFailed as exc:
            raise ClassifiedConnectError(f"DNS: {exc}", exc.failure) from exc
        if self.guard is not None:
            allowed = [a for a in addresses if self.guard.permits(host, a)]
            if not allowed:
                why = "不在本次检查允许访问的地址内" if self.guard.only is not None else "为内网或本机地址"
                message = f"Blocked: {host} -> {', '.join(addresses)} {why}，未访问"
                raise ClassifiedConnectError(message, Failure.BLOCKED_BY_SCOPE)
            addresses = allowed
        last: Exception | None = None
        for address in addresses:
            try:
                return await connect_tcp(address, port, timeout=timeout, socket_options=socket_options,
                                         speed=self.speed)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: typing.Iterable[typing.Any] | None = None,
                                  ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not used by govaudit")

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class ResolvingTransport(httpx.AsyncHTTPTransport):
    """httpx's transport with our resolver as its network backend.

    httpx offers no public hook for the network backend, so the connection pool it builds
    is replaced by an identical one that has ours (pinned to httpx 0.28 in pyproject.toml).
    """

    def __init__(self, resolver: AddressSource, *, max_connections: int = 100, verify: bool | ssl.SSLContext = True,
                 guard: AddressGuard | None = None, speed: SpeedLimit | None = None) -> None:
        super().__init__(verify=verify, trust_env=False)
        ssl_context = self._pool._ssl_context
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            max_connections=max_connections,
            max_keepalive_connections=max_connections,
            keepalive_expiry=5.0,
            network_backend=_ResolvingBackend(resolver, guard, speed),
        )
