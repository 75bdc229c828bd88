"""The workbench served for real (uvicorn on a free loopback port, in a thread) over a
config and its store, and the site and config the workbench tests audit."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from govaudit.config import Config, load_config, store_target
from govaudit.web.app import create_app
from govaudit.web.auth import add_user
from tests.support.pages import footer, page
from tests.support.server import TestSite

PASSWORD = "correct-horse-9"
UNIT = "测试党政办"
OFFICE_MAIL = "zwgk@gxq.gov.cn"


@contextmanager
def serving(config: Config, host: str = "127.0.0.1") -> Iterator[str]:
    """The workbench at the returned base URL until the block ends."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        port = int(probe.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(create_app(config, store_target(config), host), host=host, port=port,
                                           log_level="error", lifespan="off", proxy_headers=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("workbench did not start")
        time.sleep(0.02)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def form_token(html: str) -> str:
    """The CSRF token a page's forms carry (the server's synchronizer token for the session)."""
    match = re.search(r'name="csrftoken" value="([^"]+)"', html)
    assert match, "the page has no form token"
    return match.group(1)


def login(client: httpx.Client, base: str, user: str = "审核员", password: str = PASSWORD) -> httpx.Response:
    """Log in as a browser would: open the login page, post its form with its token."""
    token = form_token(client.get(f"{base}/login").text)
    return client.post(f"{base}/login", data={"username": user, "password": password, "next": "/", "csrftoken": token})


def office_site(site: TestSite) -> None:
    """Two dead links to one host (one group), a title that is script, no ICP number; nothing
    names a region (so a run without a plan can be searched for one)."""
    foot = footer(without="identity.icp", replace={"identity.sponsor": "主办：测试区政务公开办"})
    site.page("/", page("首页<script>alert(1)</script>", '<a href="/gone1.html">旧专题一</a> <a href="/gone2.html">旧专题二</a>'
                        ' <a href="/news.html">新闻</a>', foot=foot))
    site.page("/news.html", page("新闻", "<p>2026年11月20日 通知</p>", foot=foot))


def office_config(tmp_path: Path, site: TestSite, *, plan: str = 'example = "zhuhai-gaoxin-2021"', extra: str = "") -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        "[network]\nresolve_only_mapped = true\n[retry]\nbackoff_s = 0.05\ntimeout_s = 5\n[render]\nmode = \"never\"\n"
        "[politeness]\nmin_interval_s = 0\n[crawl]\ncheck_external_links = false\n[run]\njudge = \"thread\"\n"
        f"[plan]\n{plan}\n[notices]\noffice = \"测试区政务公开办\"\n{extra}\n"
        f'[[units]]\nname = "{UNIT}"\nmail = ["unit@gxq.gov.cn"]\ncontact = "张三"\n\n'
        f'[[sites]]\nname = "门户"\nurl = "{site.url("/")}"\nunit = "{UNIT}"\n', encoding="utf-8")
    add_user(path, "审核员", PASSWORD, "李审核")
    return path


def post_routes(config_path: Path) -> list[str]:
    """Every route of the workbench that takes a POST (so a test can try each one)."""
    from starlette.routing import Route

    app: Any = create_app(load_config(config_path), store_target(load_config(config_path)))
    while not hasattr(app, "routes"):
        app = app.app
    return [route.path for route in app.routes if isinstance(route, Route) and "POST" in (route.methods or ())]
