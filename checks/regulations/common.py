"""What the regulations.* rules share: law texts found on the site, the 规章/规范性文件
library's documents, and the validity shown for each."""

from __future__ import annotations

import re
from dataclasses import dataclass

from govaudit.checks.base import RuleContext
from govaudit.checks.pageread import read_page
from govaudit.checks.sitemodel.columns import SiteModel, matches, site_model
from govaudit.checks.sitemodel.documents import VALIDITY_WORDS, DocumentMeta
from govaudit.checks.sitemodel.laws import Law, LawLibrary
from govaudit.checks.sitemodel.lists import visible_text
from govaudit.crawler.snapshot import SiteSnapshot

BASIS_25 = "行政法规文本以中国政府法制信息网行政法规库公布的国家正式版本为准"
BASIS_ORDINANCE = "《中华人民共和国政府信息公开条例》（国务院令第711号）"
LIBRARY_WORDS = ["规范性文件", "规章"]
_LAW_TITLE = re.compile(r"(法|条例|规定|办法|细则)$")
_LAW_NUMBER = re.compile(r"国令|国务院令|主席令")
_LAW_COLUMNS = ["法律法规", "行政法规", "法规", "法律"]


@dataclass(frozen=True)
class LawText:
    meta: DocumentMeta
    law: Law | None          # None: a law-like text the library does not know


def law_texts(model: SiteModel, library: LawLibrary) -> list[LawText]:
    """Pages whose title is a 法律/行政法规 of the library, or that look like one."""
    texts = []
    in_law_columns = {item.url for column in model.columns.values() if matches(column.name, _LAW_COLUMNS)
                      for item in column.items}
    for url, meta in model.documents.items():
        law = library.find(meta.title)
        if law is not None:
            texts.append(LawText(meta, law))
        elif _LAW_TITLE.search(meta.title) and (_LAW_NUMBER.search(meta.doc_no or "") or url in in_law_columns):
            texts.append(LawText(meta, None))
    return texts


def validity_marks_in_lists(snapshot: SiteSnapshot, context: RuleContext) -> dict[str, str]:
    """Document URL -> the validity word its list row shows (有效 / 失效 / 废止 ...): read
    once per judging from the list pages' stored bodies."""
    return context.models.get(_validity_marks, snapshot, context)


def _validity_marks(snapshot: SiteSnapshot, context: RuleContext) -> dict[str, str]:
    model = site_model(snapshot, context)
    marks: dict[str, str] = {}
    for column in model.columns.values():
        for page_url in column.pages:
            page = read_page(snapshot, page_url)
            if page is None or page.tree is None:
                continue
            for row in page.tree.iter("tr", "li"):
                text = visible_text(row)
                word = next((w for w in VALIDITY_WORDS if w in text), None)
                if word is None:
                    continue
                for item in column.items:
                    if any(_same(item.url, a.get("href"), page.fetch.final_url) for a in row.iter("a")):
                        marks.setdefault(item.url, word)
    return marks


def _same(url: str, href: str | None, base: str) -> bool:
    from govaudit.crawler.urls import LinkTarget, resolve_link

    if href is None:
        return False
    resolved = resolve_link(base, href)
    return resolved.target is LinkTarget.HTTP and resolved.url == url


def library_documents(model: SiteModel) -> list[tuple[str, str]]:
    """(column name, document URL) of every item of the 规章/规范性文件 library columns."""
    return [(column.name, item.url) for column in model.columns.values()
            if matches(column.name, LIBRARY_WORDS) for item in column.items]
