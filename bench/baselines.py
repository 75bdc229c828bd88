"""The two baselines govaudit is measured against, each run in its own process:

    python3 -m bench.baselines raw URLS_FILE --concurrency 16          # fetch only
    python3 -m bench.baselines raw-lxml URLS_FILE --concurrency 16     # fetch + lxml link extraction
    python3 -m bench.baselines crawl START_URL CONFIG                  # govaudit's crawl, rules off

Each prints one JSON line: {"pages": N, "wall_s": T}.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path
from urllib.parse import urljoin

import httpx
import lxml.html


async def fetch_all(urls: list[str], concurrency: int, parse: bool) -> int:
    queue: asyncio.Queue[str] = asyncio.Queue()
    for url in urls:
        queue.put_nowait(url)
    done = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:

        async def worker() -> None:
            nonlocal done
            while not queue.empty():
                url = queue.get_nowait()
                response = await client.get(url)
                body = response.content
                if parse and body:
                    tree = lxml.html.document_fromstring(body)
                    for element in tree.iter("a"):
                        href = element.get("href")
                        if href:
                            urljoin(url, href)
                done += 1

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return done


def crawl_only(start_url: str, config_path: str) -> int:
    from govaudit.config import SiteConfig, load_config
    from govaudit.crawler.engine import crawl_site

    config = load_config(Path(config_path))
    site = SiteConfig(name="bench", url=start_url, unit="基准测试", kind="portal")
    snapshot = asyncio.run(crawl_site(config.crawler, site))
    return len(snapshot.pages)


def main(argv: list[str]) -> None:
    mode, target = argv[0], argv[1]
    started = time.perf_counter()
    if mode == "crawl":
        pages = crawl_only(target, argv[2])
    else:
        concurrency = int(argv[argv.index("--concurrency") + 1]) if "--concurrency" in argv else 16
        urls = Path(target).read_text("utf-8").split()
        pages = asyncio.run(fetch_all(urls, concurrency, parse=mode == "raw-lxml"))
    print(json.dumps({"pages": pages, "wall_s": time.perf_counter() - started}))


if __name__ == "__main__":
    main(sys.argv[1:])
