"""Synthetic government sites for the benchmark: static files that nginx (or the Python
fallback server) serves as they are.

A site is a homepage, columns with paginated list pages (20 articles each) and article pages of
30-60 KB of Chinese text with about 80 links (navigation, related articles, pagination, footer).
One page in ten is GBK-encoded and says so only in its <meta> (the server sends no charset).
Everything is deterministic for a given (pages, seed).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

COLUMNS: tuple[tuple[str, str], ...] = (
    ("xwdt", "要闻动态"), ("bmdt", "部门动态"), ("tzgg", "通知公告"), ("zcwj", "政策文件"),
    ("zcjd", "政策解读"), ("rsxx", "人事信息"), ("czxx", "财政信息"), ("zdxm", "重大项目"),
    ("ggjg", "公共资源配置"), ("shgy", "社会公益事业"), ("hjbh", "生态环境"), ("yqfk", "应急管理"),
)
ARTICLES_PER_LIST = 20
GENERATOR_VERSION = 4

_PHRASES = (
    "为深入贯彻落实党中央、国务院关于全面推进政务公开工作的决策部署", "进一步提升政务公开质量和实效",
    "根据《中华人民共和国政府信息公开条例》和省市有关工作要求", "结合我区实际，现将有关事项通知如下",
    "各街道办事处、区直各部门要高度重视", "切实加强组织领导，明确责任分工，细化工作措施",
    "围绕优化营商环境、保障和改善民生等重点领域", "加大政府信息主动公开力度", "及时回应社会关切",
    "推动基层政务公开标准化规范化建设向纵深发展", "强化政策解读，提高政策知晓度", "做好依申请公开办理工作",
    "严格落实保密审查制度", "确保公开内容准确、规范、及时", "会议强调，要坚持以人民为中心的发展思想",
    "扎实推进高质量发展", "全力以赴抓好安全生产和防灾减灾工作", "统筹推进疫情防控和经济社会发展",
    "区委常委、副区长出席会议并讲话", "与会人员围绕议题进行了认真讨论", "持续深化“放管服”改革",
    "加快推进数字政府建设", "不断提升政务服务“一网通办”水平", "着力解决群众急难愁盼问题",
    "本次活动共发放宣传资料三千余份", "现场解答群众咨询二百余人次", "取得了良好的社会效果",
    "下一步，我区将继续完善工作机制", "加强督促检查和考核评估", "确保各项任务落到实处、取得实效",
)


@dataclass(frozen=True)
class SitePlan:
    pages: int
    seed: int

    def column_sizes(self) -> list[int]:
        """Articles per column so that homepage + list pages + articles == pages."""
        sizes = [0] * len(COLUMNS)
        total = 1 + len(COLUMNS)  # homepage and every column's first list page
        i = 0
        while total < self.pages:
            sizes[i] += 1
            total += 1
            if sizes[i] > ARTICLES_PER_LIST and (sizes[i] - 1) % ARTICLES_PER_LIST == 0:
                total += 1  # this article opened a new list page
            i = (i + 1) % len(COLUMNS)
        while total > self.pages:  # the last article opened a list page of its own: take it back
            i = (i - 1) % len(COLUMNS)
            opened = sizes[i] > ARTICLES_PER_LIST and (sizes[i] - 1) % ARTICLES_PER_LIST == 0
            sizes[i] -= 1
            total -= 2 if opened else 1
            if total < self.pages:
                sizes[i] += 1  # cannot hit the count exactly: one article more is fine
                total += 1
                break
        return sizes


def generate(root: Path, pages: int, seed: int = 1, site_name: str = "高新区") -> dict[str, object]:
    """Write the site under `root`; reuse it when a manifest for the same plan is there."""
    manifest_path = root / "manifest.json"
    wanted = {"pages": pages, "seed": seed, "version": GENERATOR_VERSION, "name": site_name}
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text("utf-8"))
        if {k: manifest.get(k) for k in wanted} == wanted:
            return manifest
    rng = random.Random(seed)
    writer = _SiteWriter(root, rng, site_name)
    urls = writer.write(SitePlan(pages, seed).column_sizes())
    manifest = {**wanted, "urls": urls, "bytes": writer.bytes_written, "gbk_pages": writer.gbk_pages}
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
    return manifest


class _SiteWriter:
    def __init__(self, root: Path, rng: random.Random, site_name: str) -> None:
        self.root = root
        self.rng = rng
        self.site = site_name
        self.bytes_written = 0
        self.gbk_pages = 0
        self.count = 0
        self.today = date(2026, 11, 20)

    def write(self, sizes: list[int]) -> list[str]:
        urls: list[str] = []
        columns = [self._articles(slug, n) for (slug, _), n in zip(COLUMNS, sizes)]
        self._page("/index.html", "首页", self._homepage(columns))
        urls.append("/index.html")
        for (slug, name), articles in zip(COLUMNS, columns):
            lists = max(1, -(-len(articles) // ARTICLES_PER_LIST))
            for n in range(lists):
                path = _list_path(slug, n)
                chunk = articles[n * ARTICLES_PER_LIST:(n + 1) * ARTICLES_PER_LIST]
                self._page(path, name, self._list_page(slug, name, chunk, n, lists, articles))
                urls.append(path)
            for i, (path, title, day) in enumerate(articles):
                self._page(path, title, self._article(slug, name, articles, i, title, day))
                urls.append(path)
        self._static()
        return urls

    def _articles(self, slug: str, count: int) -> list[tuple[str, str, date]]:
        out = []
        for i in range(count):
            day = self.today - timedelta(days=i * 2 + self.rng.randrange(2))
            title = self.rng.choice(_PHRASES)[:18] + f"（第{i + 1}期）"
            out.append((f"/{slug}/{day:%Y%m}/t{day:%Y%m%d}_{i + 1}.html", title, day))
        return out

    # -- page parts --------------------------------------------------------------------------

    def _nav(self) -> str:
        items = "".join(f'<li><a href="{_list_path(slug, 0)}">{name}</a></li>' for slug, name in COLUMNS)
        return (f'<div class="header"><div class="logo">{self.site}人民政府</div><ul class="nav">'
                f'<li><a href="/index.html">首页</a></li>{items}</ul></div>')

    def _footer(self) -> str:
        links = "".join(f'<a href="{_list_path(slug, 0)}">{name}</a> | ' for slug, name in COLUMNS[:8])
        return ('<div class="footer"><div class="footer-links">' + links +
                '<a href="/index.html">网站地图</a> | <a href="https://www.gov.cn/">中国政府网</a></div>'
                f'<p>主办：{self.site}党政办公室　承办：{self.site}数字政府建设中心</p>'
                '<p>联系电话：0756-1234567　地址：演示市高新区演示路1号</p>'
                '<p>粤ICP备12345678号-1　网站标识码：4404990001　<span>粤公网安备 44049902000001号</span></p>'
                '<div class="footer-wzbs"><a href="https://bszs.conac.cn/sitename?method=show&amp;id=DEMO0001">'
                '<img src="/images/red.png" alt="党政机关"></a></div></div>')

    def _paragraphs(self, target_chars: int) -> str:
        parts, size = [], 0
        while size < target_chars:
            sentence = "，".join(self.rng.choice(_PHRASES) for _ in range(self.rng.randrange(3, 7))) + "。"
            parts.append(f"<p>{sentence}</p>")
            size += len(sentence) + 7
        return "\n".join(parts)

    def _homepage(self, columns: list[list[tuple[str, str, date]]]) -> str:
        blocks = []
        for (slug, name), articles in zip(COLUMNS, columns):
            items = "".join(f'<li><a href="{p}">{t}</a><span>{d:%Y-%m-%d}</span></li>' for p, t, d in articles[:5])
            blocks.append(f'<div class="col"><h3><a href="{_list_path(slug, 0)}">{name}</a></h3><ul>{items}</ul></div>')
        return "".join(blocks) + self._paragraphs(3000)

    def _list_page(self, slug: str, name: str, chunk: list[tuple[str, str, date]], n: int, lists: int,
                   columns: list[tuple[str, str, date]]) -> str:
        items = "".join(f'<li><a href="{p}" target="_blank">{t}</a><span class="date">{d:%Y-%m-%d}</span></li>'
                        for p, t, d in chunk)
        near = range(max(0, n - 4), min(lists, n + 5))
        pager = " ".join([f'<a href="{_list_path(slug, 0)}">首页</a>']
                         + ([f'<a href="{_list_path(slug, n - 1)}">上一页</a>'] if n else [])
                         + [f'<a href="{_list_path(slug, k)}">{k + 1}</a>' for k in near if k != n]
                         + ([f'<a href="{_list_path(slug, n + 1)}">下一页</a>'] if n + 1 < lists else [])
                         + [f'<a href="{_list_path(slug, lists - 1)}">尾页</a>'])
        hot = "".join(f'<li><a href="{p}">{t}</a></li>' for p, t, _ in self.rng.sample(columns, min(len(columns), 20)))
        return (f'<div class="position">当前位置：<a href="/index.html">首页</a> &gt; {name}</div>'
                f'<h2>{name}</h2><ul class="list">{items}</ul><div class="page">共 {lists} 页 {pager}</div>'
                f'<div class="side"><h4>热点信息</h4><ul>{hot}</ul></div>' + self._paragraphs(11000))

    def _article(self, slug: str, name: str, articles: list[tuple[str, str, date]], i: int,
                 title: str, day: date) -> str:
        related = self.rng.sample(articles, min(len(articles), 50))
        side = "".join(f'<li><a href="{p}">{t}</a></li>' for p, t, _ in related if p != articles[i][0])
        around = "".join(f'<p>{label}：<a href="{articles[k][0]}">{articles[k][1]}</a></p>'
                         for label, k in (("上一篇", i - 1), ("下一篇", i + 1)) if 0 <= k < len(articles))
        return (f'<div class="position">当前位置：<a href="/index.html">首页</a> &gt; '
                f'<a href="{_list_path(slug, i // ARTICLES_PER_LIST)}">{name}</a></div>'
                f'<h1>{title}</h1><div class="info">发布时间：{day:%Y-%m-%d}　来源：{self.site}党政办公室</div>'
                f'<div class="content">{self._paragraphs(self.rng.randrange(10000, 19000))}</div>{around}'
                f'<div class="side"><h4>相关文章</h4><ul>{side}</ul></div>')

    def _page(self, path: str, title: str, content: str) -> None:
        self.count += 1
        gbk = self.count % 10 == 3
        charset = "gbk" if gbk else "utf-8"
        html = (f'<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="{charset}">'
                f'<meta name="SiteName" content="{self.site}人民政府"><meta name="SiteIDCode" content="4404990001">'
                f'<title>{title} - {self.site}人民政府</title><link rel="stylesheet" href="/css/main.css">'
                f'<script src="/js/common.js"></script></head><body>{self._nav()}'
                f'<div class="main">{content}</div>{self._footer()}</body></html>')
        data = html.encode("gbk" if gbk else "utf-8")
        self.gbk_pages += gbk
        target = self.root / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        self.bytes_written += len(data)

    def _static(self) -> None:
        for path, data in (("css/main.css", b"body{font-size:14px}"), ("js/common.js", b"var site=1;"),
                           ("images/red.png", b"\x89PNG\r\n\x1a\n"),
                           ("robots.txt", b"User-agent: *\nDisallow: /admin/\n")):
            (self.root / path).parent.mkdir(parents=True, exist_ok=True)
            (self.root / path).write_bytes(data)


def _list_path(slug: str, n: int) -> str:
    return f"/{slug}/index.html" if n == 0 else f"/{slug}/index_{n}.html"
