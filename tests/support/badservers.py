"""Misbehaving servers in a process of their own, so that the test process's descriptors are
the client's alone. Run as `python -m tests.support.badservers`; prints one JSON line
{"mode": port, ...} and serves until its standard input closes.

Modes: ok (HTTP 200, keep-alive), tls_untrusted (a certificate from a CA nobody trusts),
tls_stall (accepts TCP, never answers the TLS ClientHello), tls_silent (answers
one request over TLS with Connection: close, then reads nothing more, so a client's
close_notify is never answered), reset (RST after the request),
stall (reads the request, never answers), eof (closes at once), trickle (headers, then one
byte a second).
"""

from __future__ import annotations

import asyncio
import json
import socket
import ssl
import struct
import sys

import trustme

_OK = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 2\r\n\r\nok"
_HOLD_S = 60.0


async def _ok(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while await reader.readuntil(b"\r\n\r\n"):
        writer.write(_OK)
        await writer.drain()


async def _answer_then_ignore(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.readuntil(b"\r\n\r\n")
    writer.write(_OK.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n", 1))
    await writer.drain()
    writer.transport.pause_reading()
    await asyncio.sleep(_HOLD_S)


async def _stall(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.read(65536)
    await asyncio.sleep(_HOLD_S)


async def _hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await asyncio.sleep(_HOLD_S)


async def _reset(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.read(65536)
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


async def _eof(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.close()


async def _trickle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.readuntil(b"\r\n\r\n")
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 1000\r\n\r\n")
    for _ in range(int(_HOLD_S)):
        writer.write(b"x")
        await writer.drain()
        await asyncio.sleep(1.0)


async def _guarded(handler, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:  # type: ignore[no-untyped-def]
    try:
        await handler(reader, writer)
    except (OSError, asyncio.IncompleteReadError, ssl.SSLError):
        pass
    finally:
        writer.transport.abort()


async def main() -> None:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    trustme.CA().issue_cert("127.0.0.1").configure_cert(context)
    modes = {"ok": (_ok, None), "tls_untrusted": (_ok, context), "tls_stall": (_hold, None),
             "tls_silent": (_answer_then_ignore, context),
             "reset": (_reset, None), "stall": (_stall, None), "eof": (_eof, None), "trickle": (_trickle, None)}
    ports = {}
    servers = []
    for mode, (handler, tls) in modes.items():
        server = await asyncio.start_server(lambda r, w, h=handler: _guarded(h, r, w), "127.0.0.1", 0, ssl=tls)
        servers.append(server)
        ports[mode] = server.sockets[0].getsockname()[1]
    print(json.dumps(ports), flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


if __name__ == "__main__":
    asyncio.run(main())
