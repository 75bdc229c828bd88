"""Scrapy on the same site with govaudit's bench settings: a CrawlSpider whose one rule is a
LinkExtractor(allow_domains=the site) on every page, 16 requests per host, no delay, robots.txt obeyed, no output.

    python3 -m bench.scrapy_spider START_URL    # prints {"pages": N, "wall_s": T}
"""

from __future__ import annotations

import json
import sys
import time
from urllib.parse import urlsplit

from scrapy.crawler import CrawlerProcess
from scrapy.linkextractors import LinkExtractor
from scrapy.spiders import CrawlSpider, Rule


def spider_for(host: str) -> type[CrawlSpider]:
    class SiteSpider(CrawlSpider):
        name = "bench"
        rules = (Rule(LinkExtractor(allow_domains=[host]), follow=True),)
    return SiteSpider


def main(start_url: str) -> None:
    host = urlsplit(start_url).hostname or ""
    # Scrapy compares allow_domains with the link's netloc: with a port, the port is part of it.
    netloc = urlsplit(start_url).netloc
    process = CrawlerProcess(settings={
        "ROBOTSTXT_OBEY": True,
        "CONCURRENT_REQUESTS": 16,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": "WARNING",
        "DEPTH_LIMIT": 0,
        "DOWNLOAD_MAXSIZE": 5_000_000,
        "USER_AGENT": "govaudit-bench-scrapy",
        "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
    })
    crawler = process.create_crawler(spider_for(netloc))
    started = time.perf_counter()
    process.crawl(crawler, start_urls=[start_url], allowed_domains=[host])
    process.start()
    stats = crawler.stats.get_stats()
    pages = stats.get("downloader/response_status_count/200", 0) - 1  # less robots.txt
    print(json.dumps({"pages": pages, "wall_s": time.perf_counter() - started}))


if __name__ == "__main__":
    main(sys.argv[1])
