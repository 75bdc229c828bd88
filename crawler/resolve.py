"""Name resolution under the audit's control, plugged into httpx.

The crawler never lets the operating system pick addresses behind its back: every host
name is answered by `Resolver` (the `--resolve` map, then the configured name servers via
dnspython, else the system resolver), and `ResolvingTransport` connects to those
addresses while keeping the host name for the Host header and TLS SNI.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import typing

import dns.asyncresolver
import dns.exception
import dns.resolver
import httpcore
import httpx

from govaudit.config import Network, parse_nameserver, parse_resolve


class ResolutionError(Exception):
    """A host name could not be resolved; `kind` is 'nxdomain', 'no_answer', 'timeout' or 'error'."""

    def __init__(self, host: str, kind: str, detail: str = "") -> None:
        self.host = host
        self.kind = kind
        super().__init__(f"{host}: {kind} {detail}".strip())


class Resolver:
    def __init__(self, network: Network) -> None:
        self.static: dict[str, list[str]] = {}
        for item in network.resolve:
            host, addr = parse_resolve(item)
            self.static.setdefault(host, []).append(addr)
        self.only_mapped = network.resolve_only_mapped
        self.timeout = network.dns_timeout_s
        self.dns: dns.asyncresolver.Resolver | None = None
        if network.nameservers:
            self.dns = dns.asyncresolver.Resolver(configure=False)
            servers = [parse_nameserver(s) for s in network.nameservers]
            self.dns.nameservers = [addr for addr, _ in servers]
            self.dns.nameserver_ports = {addr: port for addr, port in servers}
            self.dns.lifetime = self.timeout
        self._cache: dict[str, list[str]] = {}

    async def resolve(self, host: str) -> list[str]:
        """Addresses for `host`, IPv6 first as a dual-stack client would try them."""
        host = host.lower().rstrip(".")
        if _is_ip(host):
            return [host.strip("[]")]
        if host in self.static:
            return list(self.static[host])
        if self.only_mapped:
            raise ResolutionError(host, "nxdomain", "(not in the resolve map)")
        if host not in self._cache:
            self._cache[host] = await (self._dns_lookup(host) if self.dns else self._system_lookup(host))
        return list(self._cache[host])

    async def _dns_lookup(self, host: str) -> list[str]:
        assert self.dns is not None
        addresses: list[str] = []
        errors: list[ResolutionError] = []
        for rdtype in ("AAAA", "A"):
            try:
                answer = await self.dns.resolve(host, rdtype)
                addresses.extend(r.to_text() for r in answer)
            except dns.resolver.NXDOMAIN:
                raise ResolutionError(host, "nxdomain") from None
            except dns.resolver.NoAnswer:
                errors.append(ResolutionError(host, "no_answer", rdtype))
            except dns.exception.Timeout:
                errors.append(ResolutionError(host, "timeout", rdtype))
            except (dns.resolver.NoNameservers, dns.exception.DNSException) as exc:
                errors.append(ResolutionError(host, "error", str(exc)))
        if not addresses:
            worst = next((e for e in errors if e.kind != "no_answer"), errors[0])
            raise worst
        return addresses

    async def _system_lookup(self, host: str) -> list[str]:
        loop = asyncio.get_running_loop()
        try:
            infos = await asyncio.wait_for(
                loop.getaddrinfo(host, None, type=socket.SOCK_STREAM), timeout=self.timeout)
        except asyncio.TimeoutError:
            raise ResolutionError(host, "timeout") from None
        except socket.gaierror as exc:
            kind = "nxdomain" if exc.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", -5)) else "error"
            raise ResolutionError(host, kind, str(exc)) from None
        seen: list[str] = []
        for family, *_rest, sockaddr in infos:
            addr = str(sockaddr[0])
            if addr not in seen:
                seen.append(addr)
        return sorted(seen, key=lambda a: 0 if ":" in a else 1)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
        return True
    except ValueError:
        return False


class _ResolvingBackend(httpcore.AsyncNetworkBackend):
    """Connects to the addresses the Resolver gives, one after another."""

    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver
        self.inner = httpcore.AnyIOBackend()

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: typing.Iterable[typing.Any] | None = None,
                          ) -> httpcore.AsyncNetworkStream:
        try:
            addresses = await self.resolver.resolve(host)
        except ResolutionError as exc:
            raise httpcore.ConnectError(f"DNS: {exc}") from exc
        last: Exception | None = None
        for address in addresses:
            try:
                return await self.inner.connect_tcp(address, port, timeout=timeout,
                                                    local_address=local_address,
                                                    socket_options=socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: typing.Iterable[typing.Any] | None = None,
                                  ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not used by govaudit")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


class ResolvingTransport(httpx.AsyncHTTPTransport):
    """httpx's transport with our resolver as its network backend.

    httpx offers no public hook for the network backend, so the connection pool it builds
    is replaced by an identical one that has ours (pinned to httpx 0.28 in pyproject.toml).
    """

    def __init__(self, resolver: Resolver, *, max_connections: int = 100, verify: bool = True) -> None:
        super().__init__(verify=verify, trust_env=False)
        ssl_context = self._pool._ssl_context  # type: ignore[attr-defined]
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            max_connections=max_connections,
            max_keepalive_connections=max_connections,
            keepalive_expiry=5.0,
            network_backend=_ResolvingBackend(resolver),
        )
