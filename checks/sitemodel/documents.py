"""Document pages: the metadata block (索引号, 发文机关, 文号, 成文日期, 发布日期, 有效性) and,
for a 法律/行政法规 text, which version it shows.

The metadata is read label by label from the page's text nodes, so a gov.cn table
(<td>成文日期：</td><td>2018年12月04日</td>) and an inline line (发布日期：2021-07-26) read alike.
The version shown is the latest of: the dates of 公布/发布/修订/修正 statements in the preamble
("根据2019年4月3日《国务院关于修改…》修订", "（…2018年9月6日国务院第23次常务会议修订通过）"),
a year in the title's brackets (（2019年修订）) and the 成文日期. 施行 dates are not versions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from govaudit.checks.pageread import PageRead
from govaudit.checks.pagetext import text_nodes
from govaudit.checks.sitemodel.dates import full_dates, normalise

LABELS: dict[str, tuple[str, ...]] = {
    "index_no": ("索引号",),
    "issuer": ("发文机关", "发布机构", "制发机关", "发文单位"),
    "written": ("成文日期", "成文时间"),
    "title": ("标题", "名称", "文件名称"),
    "doc_no": ("发文字号", "文号", "发文号"),
    "published": ("发布日期", "公开日期", "发布时间"),
    "validity": ("有效性", "时效性", "效力状态", "有效状态", "是否有效", "时效"),
}
VALIDITY_WORDS = ("有效", "失效", "废止", "已修改", "已修订", "部分失效")
_ALL_LABELS = sorted((label for labels in LABELS.values() for label in labels), key=len, reverse=True)
_ANY_LABEL = re.compile("|".join(re.escape(label) for label in _ALL_LABELS))
_DOC_NO = re.compile(r"[\u4e00-\u9fff]{1,12}[〔\[［(（]\s*\d{4}\s*[〕\]］)）]\s*\d+\s*号|国令第\s*\d+\s*号|国务院令第\s*\d+\s*号")
# A dated 公布/修订/修正 statement, the whole clause: "根据2018年10月26日第十三届全国人民代表大会
# 常务委员会第六次会议《关于修改〈…〉等十五部法律的决定》第三次修正" runs some 80 characters.
_VERSION_STATEMENT = re.compile(
    r"(\d{4}年\d{1,2}月\d{1,2}日)([^。；;（）():：|]{0,150}?)(公布|发布|修订|修正|通过)")
# Words that introduce a basis (根据 国发〔2019〕5号): the 文号 after them is cited, not repealed.
_BASIS_WORDS = ("根据", "依据", "按照", "依照", "为贯彻", "贯彻落实")
_PASSIVE = re.compile(r"被\s*\S{0,6}$")        # "已被 XX〔…〕号废止": the 文号 after 被 repeals
_PROSE_CHARS = 20        # a body sentence that repeals is at least this long
_BRACKET_YEAR = re.compile(r"[（(](\d{4})年(修订|修正|公布)[）)]")
_PREAMBLE_CHARS = 3000


@dataclass(frozen=True, slots=True)
class DocumentMeta:
    url: str
    title: str
    index_no: str | None
    issuer: str | None
    doc_no: str | None
    written: date | None
    published: date | None
    validity: str | None          # the validity text shown, None when there is none
    version_date: date | None     # for law texts: the version the page shows
    version_evidence: str         # what the version was read from
    validity_blank: bool = False  # a validity label is shown with no value (a script may fill it)

    @property
    def has_metadata(self) -> bool:
        return bool(self.doc_no or self.index_no or self.written)


def _label_at(node: str) -> tuple[str, str] | None:
    """(label, the rest of the node) when the node starts with a known label."""
    squeezed = node.replace(" ", "")   # nodes come squeezed: single spaces only
    if _ANY_LABEL.match(squeezed) is None:   # most nodes: no label at all
        return None
    for label in _ALL_LABELS:
        if squeezed.startswith(label):
            rest = squeezed[len(label):].lstrip(":：")
            if squeezed[len(label):len(label) + 1] in (":", "：", "") or not rest:
                return label, rest
    return None


def read_metadata(tree: Any, nodes: list[str] | None = None) -> dict[str, str]:
    """label key -> raw value text of the metadata block (`nodes`: the tree's _nodes, when
    the caller has them already)."""
    nodes = text_nodes(tree) if nodes is None else nodes
    values: dict[str, str] = {}
    for index, node in enumerate(nodes):
        found = _label_at(node)
        if found is None:
            continue
        label, rest = found
        key = next(k for k, labels in LABELS.items() if label in labels)
        if key in values:
            continue
        value = rest or (nodes[index + 1] if index + 1 < len(nodes) and _label_at(nodes[index + 1]) is None else "")
        for other in _ALL_LABELS:  # an inline line may run on into the next label
            cut = value.find(other)
            if cut > 0:
                value = value[:cut]
        values[key] = value.strip(" 　|")
    return values


def _first_date(value: str | None) -> date | None:
    dates = full_dates(value or "")
    return dates[0] if dates else None


def version_shown(title: str, text: str, written: date | None) -> tuple[date | None, str]:
    """The version date a law text shows, and the words it was read from."""
    candidates: list[tuple[date, str]] = []
    preamble = normalise(text)[:_PREAMBLE_CHARS]
    for match in _VERSION_STATEMENT.finditer(preamble):
        between = match.group(2)
        if "施行" in between:
            continue
        dates = full_dates(match.group(1))
        if dates:
            candidates.append((dates[0], match.group(0)[:80]))
    for match in _BRACKET_YEAR.finditer(normalise(title)):
        candidates.append((date(int(match.group(1)), 12, 31), match.group(0)))
    if written:
        candidates.append((written, f"成文日期 {written.isoformat()}"))
    if not candidates:
        return None, ""
    best = max(candidates, key=lambda c: c[0])
    return best


def document_meta(page: PageRead) -> DocumentMeta | None:
    found = document_facts(page)
    return found[0] if found else None


def document_facts(page: PageRead) -> tuple[DocumentMeta, frozenset[str]] | None:
    """The page's metadata and the 文号 it declares repealed, from one read of its text."""
    tree = page.tree
    if tree is None:
        return None
    nodes = page.nodes
    text = " ".join(nodes)
    meta = _document_meta(page, tree, nodes, text)
    return meta, repeals_in_body(nodes)


def repeals_in_body(nodes: list[str]) -> frozenset[str]:
    """What a document's own body declares repealed: only its sentences count (a text of
    some length that reads as prose), never a list's row note ("已被××〔2024〕6号废止"), a
    sidebar or a link title; the caller passes the nodes of an article page only."""
    prose = " ".join(node for node in nodes if len(node) >= _PROSE_CHARS and any(mark in node for mark in "。，；"))
    return frozenset(repealed_numbers(prose)) if "废止" in prose or "失效" in prose else frozenset()


def _document_meta(page: PageRead, tree: Any, nodes: list[str], text: str) -> DocumentMeta:
    values = read_metadata(tree, nodes)
    title = values.get("title") or _heading(tree) or page.title
    written = _first_date(values.get("written"))
    doc_no_match = _DOC_NO.search(values.get("doc_no") or "")
    version, evidence = version_shown(title, text, written)
    return DocumentMeta(
        url=page.url, title=title.strip(), index_no=values.get("index_no") or None,
        issuer=values.get("issuer") or None,
        doc_no=doc_no_match.group(0) if doc_no_match else (values.get("doc_no") or None),
        written=written, published=_first_date(values.get("published")),
        validity=values.get("validity") or _validity_in_text(text), version_date=version,
        version_evidence=evidence, validity_blank="validity" in values and not values["validity"])


def _heading(tree: Any) -> str:
    for tag in ("h1", "h2"):
        element = tree.find(f".//{tag}")
        if element is not None:
            text = " ".join(element.text_content().split())
            if text:
                return text
    return ""


def _validity_in_text(text: str) -> str | None:
    """A validity mark written in the page without a label, e.g. "【已废止】" or "（失效）"."""
    match = re.search(r"[【\[（(](已废止|已失效|失效|废止|有效|已修改)[】\]）)]", text)
    return match.group(1) if match else None


def repealed_numbers(text: str) -> set[str]:
    """文号 of documents this text declares repealed ("…（珠高办〔2019〕12号）同时废止"): those in
    the clause that says 废止/失效, except one cited as the basis (根据国发〔2019〕5号…) and the
    one that repeals in the passive ("已被珠高办〔2024〕6号废止" names the repealer)."""
    found = set()
    for clause in re.split(r"[。；;，,]", normalise(text)):
        if "废止" not in clause and "失效" not in clause:
            continue
        for match in _DOC_NO.finditer(clause):
            before = clause[:match.start()]
            if any(word in before for word in _BASIS_WORDS) or _PASSIVE.search(before) or "被" in match.group(0)[:3]:
                continue
            found.add(match.group(0).replace(" ", ""))
    return found


def doc_number_key(doc_no: str | None) -> str | None:
    return normalise(doc_no).replace(" ", "").replace("[", "〔").replace("]", "〕") if doc_no else None
