"""Serving the generated sites on 127.0.0.1: nginx when Debian's package is installed (one
worker, sendfile, no access log), otherwise a multi-process Python static server."""

from __future__ import annotations

import contextlib
import http.server
import multiprocessing
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from functools import partial
from pathlib import Path

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def free_ports(count: int) -> list[int]:
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


@contextlib.contextmanager
def serve(roots: list[Path]) -> Iterator[tuple[str, list[int]]]:
    """Serve each root on its own 127.0.0.1 port -> (server kind, ports)."""
    ports = free_ports(len(roots))
    if NGINX:
        with _nginx(roots, ports):
            yield "nginx", ports
    else:
        with _python_servers(roots, ports):
            yield "python", ports


@contextlib.contextmanager
def _nginx(roots: list[Path], ports: list[int]) -> Iterator[None]:
    workdir = Path(tempfile.mkdtemp(prefix="govaudit-bench-nginx-"))
    servers = "\n".join(f"""
    server {{
        listen 127.0.0.1:{port} backlog=4096;
        root {root.resolve()};
        index index.html;
        location / {{ try_files $uri $uri/ =404; }}
    }}""" for root, port in zip(roots, ports))
    conf = workdir / "nginx.conf"
    conf.write_text(f"""
worker_processes 1;
pid {workdir}/nginx.pid;
error_log {workdir}/error.log warn;
daemon off;
events {{ worker_connections 4096; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    keepalive_timeout 60;
    client_body_temp_path {workdir}/body;
    proxy_temp_path {workdir}/proxy;
    fastcgi_temp_path {workdir}/fastcgi;
    uwsgi_temp_path {workdir}/uwsgi;
    scgi_temp_path {workdir}/scgi;
    {servers}
}}
""")
    process = subprocess.Popen([NGINX, "-c", str(conf), "-p", str(workdir)])
    try:
        _wait_listening(ports)
        yield
    finally:
        process.send_signal(signal.SIGQUIT)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(workdir, ignore_errors=True)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass


def _serve_forever(sock: socket.socket, root: str) -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=root),
                                             bind_and_activate=False)
    server.socket.close()
    server.socket = sock
    server.serve_forever()


@contextlib.contextmanager
def _python_servers(roots: list[Path], ports: list[int]) -> Iterator[None]:
    processes = []
    for root, port in zip(roots, ports):
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
        sock.listen(1024)
        for _ in range(2 if len(roots) == 1 else 1):  # two processes share the large site's socket
            proc = multiprocessing.get_context("fork").Process(target=_serve_forever, args=(sock, str(root)), daemon=True)
            proc.start()
            processes.append(proc)
        sock.close()
    try:
        _wait_listening(ports)
        yield
    finally:
        for proc in processes:
            proc.terminate()
            proc.join(5)


def _wait_listening(ports: list[int], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    for port in ports:
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"bench server did not start on 127.0.0.1:{port}") from None
                time.sleep(0.05)


if __name__ == "__main__":  # python3 -m bench.serve DIR...: serve by hand for profiling
    import sys

    signal.signal(signal.SIGTERM, signal.default_int_handler)  # `kill` stops nginx too
    with serve([Path(a) for a in sys.argv[1:]]) as (kind, ports):
        print(kind, " ".join(f"http://127.0.0.1:{p}/" for p in ports), flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(3600)
