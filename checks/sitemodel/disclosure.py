"""The 政府信息公开 platform as found on the site: the column, its four sub-columns, the
guide's 第十二条 elements, the 第二十条/第二十一条 categories, the 26 domains, the 政务新媒体
list. Matching is by meaning (synonym lists in checks/data/disclosure.toml), never one string.
"""

from __future__ import annotations

from dataclasses import dataclass

from govaudit.checks.pageread import read_page
from govaudit.checks.sitemodel.columns import Column, SiteModel, data, matches, squeeze
from govaudit.crawler.snapshot import SiteSnapshot


@dataclass(frozen=True)
class Found:
    key: str
    label: str
    found: bool
    where: str | None = None      # the URL of the column or document
    via: str | None = None        # the link text that matched
    seen_on: str | None = None    # the page carrying that link

    def as_dict(self) -> dict[str, object]:
        return {"key": self.key, "label": self.label, "found": self.found, "where": self.where,
                "via": self.via, "seen_on": self.seen_on}


def _search(model: SiteModel, key: str, label: str, words: list[str], by_content: list[str] | None = None) -> Found:
    """Found by a link named with one of `words`, or (given `by_content`) by a column whose
    items are such things, whatever the column is called."""
    for text, url in model.find_links(words):
        pages = model.sources_of(url)
        return Found(key, label, True, url, text, pages[0] if pages else None)
    column = column_of_items(model, by_content) if by_content else None
    if column is not None:
        return Found(key, label, True, column.url, f"{column.name}（按栏目内容识别）", column.parent)
    return Found(key, label, False)


def column_of_items(model: SiteModel, words: list[str]) -> Column | None:
    """A column at least [by_content] min_items of whose items carry one of `words`."""
    wanted = [squeeze(word) for word in words]
    least = int(data()["by_content"]["min_items"])
    for column in model.columns.values():
        hits = sum(1 for item in column.items if any(word in squeeze(item.title) for word in wanted))
        if hits >= least:
            return column
    return None


# A column's name is short; a longer text naming 政府信息公开 is a document's title
# (《中华人民共和国政府信息公开条例》, 关于做好政府信息公开工作的通知).
_MAX_COLUMN_NAME = 12


def is_column_name(text: str) -> bool:
    flat = "".join(text.split())
    return 0 < len(flat) <= _MAX_COLUMN_NAME and "《" not in flat and "》" not in flat


def disclosure_column(model: SiteModel, snapshot: SiteSnapshot) -> Found:
    """A link from the homepage (or a page one click below it) named as the 专栏."""
    near_home = model.near_home
    for text, url in model.find_links(data()["disclosure_column"]):
        if not is_column_name(text):
            continue
        sources = [p for p in model.sources_of(url) if p in near_home]
        if sources:
            return Found("column", "政府信息公开专栏", True, url, text, sources[0])
    return Found("column", "政府信息公开专栏", False)


def subcolumns(model: SiteModel) -> list[Found]:
    result = []
    for key, entry in data()["subcolumns"].items():
        result.append(_search(model, key, entry["name"], [entry["name"], *entry["synonyms"]]))
    return result


def guide_elements(model: SiteModel, snapshot: SiteSnapshot, guide: Found) -> tuple[str | None, list[Found]]:
    """(why not checked, elements) of the 指南 page; why is None when the page was read."""
    if not guide.found or guide.where is None:
        return "未找到政府信息公开指南", []
    page = read_page(snapshot, guide.where)
    if page is None or page.tree is None or not page.fetch.ok:
        return f"指南页面 {guide.where} 未被抓取或不是网页（可能是附件），无法检查其内容", []
    text = " ".join(page.tree.xpath("//body//text()[not(ancestor::script) and not(ancestor::style)]"))
    own = " ".join(t for t in text.split() if t not in model.boilerplate)
    return None, [Found(name, name, matches(own, words), guide.where)
                  for name, words in data()["guide_elements"].items()]


def statutory_categories(model: SiteModel, article_21: bool) -> list[Found]:
    found = [_search(model, f"第二十条第（{number}）项", entry["title"], entry["words"],
                     by_content=data()["by_content"].get(f"statutory_{number}"))
             for number, entry in data()["statutory"].items()]
    if article_21:
        found += [_search(model, f"第二十一条·{name}", name, words)
                  for name, words in data()["statutory_article_21"].items()]
    return found


def domain_catalogues(model: SiteModel, snapshot: SiteSnapshot) -> tuple[Found, list[Found]]:
    """(the 未涉及领域 statement, each domain found as a column/document or named in it)."""
    statement = _search(model, "exemption", "未涉及领域说明", data()["domain_exemption"])
    statement_text = ""
    if statement.found and statement.where is not None and statement.where in snapshot.pages:
        statement_text = snapshot.bodies.html(statement.where) or ""
    domains = []
    for name, words in data()["domains"].items():
        found = _search(model, name, name, words)
        if not found.found and statement_text and matches(statement_text, [name, *words]):
            found = Found(name, name, True, statement.where, "未涉及领域说明", statement.seen_on)
        domains.append(found)
    return statement, domains


def newmedia_list(model: SiteModel) -> Found:
    """Any link naming 政务新媒体 counts: the list is often titled 政务新媒体矩阵/名录/一览."""
    return _search(model, "newmedia", "政务新媒体清单", data()["newmedia"], by_content=data()["by_content"]["newmedia"])
