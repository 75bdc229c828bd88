"""A server that drips its answer one byte at a time, status line included (every path,
robots.txt too): for the speed floor (crawler.netstream.SpeedLimit)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

_ANSWER = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 9999\r\n\r\n" + b"x" * 9999


@contextmanager
def dripping_server(seconds_per_byte: float) -> Iterator[int]:
    """Serve on 127.0.0.1 until the block ends; yields the port."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def drip(conn: socket.socket) -> None:
        with conn:
            try:
                conn.settimeout(5)
                conn.recv(4096)
                for byte in _ANSWER:
                    if stop.is_set():
                        return
                    conn.sendall(bytes([byte]))
                    time.sleep(seconds_per_byte)
            except OSError:
                return

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            threading.Thread(target=drip, args=(conn,), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        listener.close()
