"""Peak memory and wall time of `govaudit inspect` (and its browser) against hostile sites.

    python3 -m bench.hostile            # prints a table (Markdown) for the README

Each scenario is a site served on 127.0.0.1 by this process; govaudit runs in a child
process with rendering on and screenshots taken, and the PSS of the child's whole process
tree (govaudit, Playwright's driver, Chromium) is sampled every 0.2 s. Nothing leaves the
machine: the sites are IP literals, resolve_only_mapped is on, external links unchecked.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
from pathlib import Path

import psutil

from tests.support.drip import dripping_server
from tests.support.pages import page
from tests.support.server import Reply, TestSite

ROOT = Path(__file__).resolve().parents[1]
LIST_JS = "document.getElementById('list').innerHTML = '<li><a href=\"/a/1.html\">由脚本写入的新闻条目</a></li>';"


def _ordinary(site: TestSite) -> None:
    site.page("/", page("首页", '<a href="/xw/">新闻动态</a><a href="/tz/">通知公告</a>'))
    site.page("/xw/", page("新闻动态", f"<ul id='list'></ul><script>{LIST_JS}</script>"))
    site.page("/tz/", page("通知公告", "<ul><li><a href='/a/1.html'>关于开展安全生产检查的通知</a><span>2026-11-20</span></li></ul>"))
    site.page("/a/1.html", page("通知", "<p>正文。</p>" * 20))


def _huge(site: TestSite) -> None:
    chunk = ("<p>" + "政务公开" * 2000 + "</p>").encode()

    def endless(out) -> None:  # type: ignore[no-untyped-def]
        out.write(b"<html><body>")
        for _ in range(200_000_000 // len(chunk)):
            out.write(chunk)
    site.page("/", page("首页", '<a href="/big.html">大页面</a>'))
    site.route("/big.html", Reply(200, writer=endless))


def _gzip_bomb(site: TestSite) -> None:
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = b"<p>x</p>" * (1 << 17)
    bomb = packer.compress(b"<html><body>") + b"".join(packer.compress(block) for _ in range(1024)) + packer.flush()
    site.page("/", page("首页", '<a href="/bomb.html">压缩炸弹</a>'))
    site.route("/bomb.html", Reply(200, bomb, headers={"Content-Encoding": "gzip"}))


def _sid_trap(site: TestSite) -> None:
    counter = iter(range(10**9))

    def fresh(method: str, path: str, headers: dict[str, str]) -> Reply:
        links = "".join(f'<a href="/p{n}.jsp?sid={next(counter)}">栏目{n}</a>' for n in range(20))
        return Reply(200, page(f"页面{path}", links).encode())
    for path in ["/", *(f"/p{n}.jsp" for n in range(20))]:
        site.route(path, fresh)


def _many_links(site: TestSite) -> None:
    site.page("/", page("首页", "".join(f'<a href="/files/{n}.pdf">附件{n}</a>' for n in range(20_000))))


def _memory_hog(site: TestSite) -> None:
    hog = "<script>const keep = []; while (true) { keep.push(new Array(1000000).fill(7)); }</script>"
    site.page("/", page("首页", '<a href="/hog.html">页面</a>'))
    site.page("/hog.html", page("页面", hog))


def _many_resources(site: TestSite) -> None:
    images = "".join(f"<img src='/img/{n}.png'>" for n in range(1000))
    site.page("/", page("首页", images))
    site.route("/img/0.png", Reply(200, b"\x89PNG\r\n\x1a\n", content_type="image/png"))
    site.fallback = Reply(200, b"\x89PNG\r\n\x1a\n", content_type="image/png")


SCENARIOS: list[tuple[str, Callable[[TestSite], None] | None, str, str]] = [
    ("普通小网站（脚本生成的列表，渲染）", _ordinary, "auto", ""),
    ("200 MB 页面（渲染、截图）", _huge, "always", ""),
    ("gzip 压缩炸弹（约 1 MB 展开为 1 GiB）", _gzip_bomb, "always", ""),
    ("每 2 秒 1 字节（含 robots.txt）", None, "auto", ""),
    ("会话 ID 陷阱（每个链接新的 ?sid=）", _sid_trap, "auto", ""),
    ("一页 2 万个链接（单站时限 120 秒）", _many_links, "never", "max_site_seconds = 120\n"),
    ("脚本无限申请内存", _memory_hog, "always", ""),
    ("一页 1,000 个子资源", _many_resources, "always", ""),
]


def measure(url: str, render: str, crawl_extra: str, workdir: Path) -> tuple[float, float, int]:
    """(peak PSS in MB of govaudit and its children, seconds, exit code)."""
    config = workdir / "config.toml"
    config.write_text(f"[crawl]\ncheck_external_links = false\n{crawl_extra}[network]\nresolve_only_mapped = true\n"
                      f"[ipv6]\nenabled = false\n[render]\nmode = \"{render}\"\n", encoding="utf-8")
    started = time.monotonic()
    child = subprocess.Popen([sys.executable, "-m", "govaudit", "inspect", url, "--config", str(config),
                              "--out", str(workdir / "out")], cwd=workdir, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    peak = 0
    process = psutil.Process(child.pid)
    while child.poll() is None:
        peak = max(peak, _tree_pss(process))
        time.sleep(0.2)
    return peak / 1024 / 1024, time.monotonic() - started, child.returncode


def _tree_pss(process: psutil.Process) -> int:
    total = 0
    try:
        members = [process, *process.children(recursive=True)]
    except psutil.Error:
        return 0
    for member in members:
        try:
            total += member.memory_full_info().pss
        except psutil.Error:
            continue
    return total


def main() -> None:
    rows = ["| 情况 | 峰值内存（PSS，govaudit 及浏览器） | 用时 | 退出状态 |", "|---|---|---|---|"]
    for label, build, render, extra in SCENARIOS:
        with tempfile.TemporaryDirectory() as folder:
            if build is None:   # one byte every 2 s
                with dripping_server(2.0) as port:
                    peak, seconds, code = measure(f"http://127.0.0.1:{port}/", render, extra, Path(folder))
            else:
                with TestSite() as site:
                    build(site)
                    peak, seconds, code = measure(site.url("/"), render, extra, Path(folder))
        rows.append(f"| {label} | {peak:.0f} MB | {seconds:.0f} 秒 | {code} |")
        print(rows[-1], flush=True)
    print("\n".join(rows))


if __name__ == "__main__":
    main()
