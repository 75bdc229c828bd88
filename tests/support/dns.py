"""A real DNS server on 127.0.0.1 (dnslib) serving test zones, and one that never answers."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from dnslib import AAAA, CNAME, NS, QTYPE, RCODE, RR, A
from dnslib.server import BaseResolver, DNSLogger, DNSServer


class Zone(BaseResolver):
    """Records by name; CNAMEs are followed within the zone like a recursive answer."""

    def __init__(self) -> None:
        self.records: dict[str, list[RR]] = {}
        self.servfail: set[str] = set()
        self.silent: set[tuple[str, str]] = set()   # (name, type) left unanswered: the client times out

    def add(self, name: str, rtype: str, value: str) -> Zone:
        rdata = {"A": A, "AAAA": AAAA, "CNAME": CNAME, "NS": NS}[rtype](value)
        self.records.setdefault(name, []).append(RR(name, getattr(QTYPE, rtype), rdata=rdata, ttl=60))
        return self

    def resolve(self, request, handler):  # type: ignore[no-untyped-def]
        reply = request.reply()
        name = str(request.q.qname).rstrip(".")
        qtype = QTYPE[request.q.qtype]
        if (name, qtype) in self.silent:
            time.sleep(3)
            return reply
        if name in self.servfail:
            reply.header.rcode = RCODE.SERVFAIL
            return reply
        for _ in range(8):
            records = self.records.get(name, [])
            cname = [r for r in records if QTYPE[r.rtype] == "CNAME"]
            if cname and qtype != "CNAME":
                reply.add_answer(cname[0])
                name = str(cname[0].rdata.label).rstrip(".")
                continue
            for record in records:
                if QTYPE[record.rtype] == qtype:
                    reply.add_answer(record)
            if not records and not any(n.endswith("." + name) for n in self.records):
                reply.header.rcode = RCODE.NXDOMAIN
            break
        return reply


@contextmanager
def dns_server(zone: Zone) -> Iterator[int]:
    """Serve `zone` over UDP on 127.0.0.1; yields the port."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    quiet = DNSLogger(log="-recv,-send,-request,-reply,-truncated,-error,-data", prefix=False)
    server = DNSServer(zone, port=port, address="127.0.0.1", logger=quiet)
    server.start_thread()
    try:
        yield port
    finally:
        server.stop()
        server.server.server_close()


@contextmanager
def silent_dns_server() -> Iterator[int]:
    """A UDP socket that receives queries and never answers: every query times out."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    stop = threading.Event()

    def swallow() -> None:
        sock.settimeout(0.1)
        while not stop.is_set():
            try:
                sock.recvfrom(4096)
            except OSError:
                continue

    thread = threading.Thread(target=swallow, daemon=True)
    thread.start()
    try:
        yield int(sock.getsockname()[1])
    finally:
        stop.set()
        thread.join()
        sock.close()
