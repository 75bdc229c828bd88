"""Real Redis and PostgreSQL servers for the tests: Debian's redis-server and postgresql
(installed by ./setup), each started on a free 127.0.0.1 port in a temporary folder and
stopped afterwards. PostgreSQL refuses to run as root: as root, the server runs as the
`postgres` account the Debian package creates (or `nobody`)."""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Self


class ServiceMissing(Exception):
    """The server program is not installed (the tests that need it skip, naming it)."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for_port(port: int, process: subprocess.Popen[bytes], what: str, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not listen on port {port} within {timeout_s} s")


class _Service:
    """A server process in a temporary folder; stopped, and its folder removed, on exit."""

    process: subprocess.Popen[bytes]
    folder: Path
    stop_signal = signal.SIGTERM

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        _stop(self.process, self.stop_signal)
        shutil.rmtree(self.folder, ignore_errors=True)


def _stop(process: subprocess.Popen[bytes], how: signal.Signals = signal.SIGTERM) -> None:
    if process.poll() is None:
        process.send_signal(how)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


# -- Redis --------------------------------------------------------------------------------------

def redis_binary() -> str:
    found = shutil.which("redis-server") or ("/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else None)
    if found is None:
        raise ServiceMissing("redis-server 未安装（./setup 会安装 Debian 的 redis-server）")
    return found


class RedisServer(_Service):
    def __init__(self) -> None:
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="govaudit-redis-"))
        self.process = subprocess.Popen(
            [redis_binary(), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.folder), "--protected-mode", "yes", "--loglevel", "warning"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait_for_port(self.port, self.process, "redis-server")

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def flush(self) -> None:
        import redis

        with redis.Redis(port=self.port) as client:
            client.flushall()


# -- PostgreSQL ---------------------------------------------------------------------------------

def postgres_bin() -> Path:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"), key=lambda p: int(Path(p).parts[-3]))
    if not candidates:
        raise ServiceMissing("PostgreSQL 未安装（./setup 会安装 Debian 的 postgresql）")
    return Path(candidates[-1]).parent


def _server_account() -> pwd.struct_passwd | None:
    """Who runs the server: the current user, unless that is root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    raise ServiceMissing("以 root 运行测试时需要 postgres 或 nobody 账户来启动 PostgreSQL")


class PostgresServer(_Service):
    stop_signal = signal.SIGINT   # fast shutdown: clients still connected are let go

    def __init__(self) -> None:
        bin_dir = postgres_bin()
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="govaudit-pg-"))
        data, sockets = self.folder / "data", self.folder / "run"
        sockets.mkdir()
        account = _server_account()
        as_user: dict[str, object] = {}
        if account is not None:
            for path in (self.folder, sockets):
                os.chown(path, account.pw_uid, account.pw_gid)
            as_user = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}
        subprocess.run([str(bin_dir / "initdb"), "-D", str(data), "-U", "govaudit", "--auth=trust", "-E", "UTF8",
                        "--no-locale", "--no-sync"], check=True, capture_output=True, cwd=self.folder, **as_user)
        self.process = subprocess.Popen(
            [str(bin_dir / "postgres"), "-D", str(data), "-p", str(self.port), "-k", str(sockets),
             "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off",
             "-c", "full_page_writes=off", "-c", "max_connections=200", "-c", "log_min_messages=fatal"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=self.folder, **as_user)  # type: ignore[call-overload]
        _wait_for_port(self.port, self.process, "postgres")
        self._wait_ready()

    def _wait_ready(self) -> None:
        import psycopg

        deadline = time.monotonic() + 30
        while True:
            try:
                with psycopg.connect(self.admin_dsn, connect_timeout=2):
                    return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    @property
    def admin_dsn(self) -> str:
        return f"postgresql://govaudit@127.0.0.1:{self.port}/postgres"

    def new_database(self) -> str:
        """A fresh, empty database -> its URL."""
        import psycopg

        name = f"t_{os.urandom(6).hex()}"
        with psycopg.connect(self.admin_dsn, autocommit=True) as connection:
            connection.execute(f"CREATE DATABASE {name}")
        return f"postgresql://govaudit@127.0.0.1:{self.port}/{name}"


# -- nginx, the reverse proxy in front of the workbench ------------------------------------------

def nginx_binary() -> str:
    for candidate in (shutil.which("nginx"), "/usr/sbin/nginx"):
        if candidate and Path(candidate).exists():
            return candidate
    raise ServiceMissing("nginx 未安装（./setup 会安装 Debian 的 nginx-light）")


class NginxProxy(_Service):
    """Debian's nginx as the README's deployment runs it: TLS (when given a certificate and
    key) on a free 127.0.0.1 port, forwarding to the workbench with the client's address
    (X-Forwarded-For), the scheme and the Host the browser sent; its own bodies limit."""

    def __init__(self, upstream_port: int, cert: Path | None = None, key: Path | None = None) -> None:
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="govaudit-nginx-"))
        tls = f"ssl;\n    ssl_certificate {cert};\n    ssl_certificate_key {key};" if cert and key else ";"
        temp = "".join(f"  {kind}_temp_path {self.folder / kind};\n" for kind in ("client_body", "proxy", "fastcgi",
                                                                                 "uwsgi", "scgi"))
        user = "user root;" if os.geteuid() == 0 else ""   # (workers write its temp folders)
        (self.folder / "nginx.conf").write_text(f"""
{user}
worker_processes 1;
daemon off;
pid {self.folder / 'nginx.pid'};
error_log {self.folder / 'error.log'} warn;
events {{ worker_connections 256; }}
http {{
  access_log off;
{temp}  server {{
    listen 127.0.0.1:{self.port} {tls}
    client_max_body_size 1m;
    location / {{
      proxy_pass http://127.0.0.1:{upstream_port};
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
    }}
  }}
}}
""", encoding="utf-8")
        self.process = subprocess.Popen([nginx_binary(), "-p", str(self.folder), "-c", str(self.folder / "nginx.conf")],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait_for_port(self.port, self.process, "nginx")


class WorkbenchProcess(_Service):
    """`govaudit serve` as a user starts it: its own process on a free 127.0.0.1 port, what it
    logs kept in `log` (read with `logged()`)."""

    def __init__(self, config: Path, env: dict[str, str] | None = None) -> None:
        import sys

        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="govaudit-serve-"))
        self.log = self.folder / "serve.log"
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "govaudit", "serve", "--config", str(config), "--port", str(self.port)],
                stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
        _wait_for_port(self.port, self.process, "govaudit serve")

    def logged(self) -> str:
        return self.log.read_text("utf-8", errors="replace")
