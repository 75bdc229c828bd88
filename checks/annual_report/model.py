"""The yearly 政府信息公开工作年度报告 as a typed model, read from HTML, text, PDF, DOCX or XLSX.

Tables are read as grids (rowspan/colspan expanded) and their rows recognised by their
labels (../shared/reference/annual-report.md): 表三 (applications, 7 columns), 表四
(reconsideration and litigation, 15 numbers) and 表二 (proactive disclosure). A table whose
layout is lost (text only) is read line by line; when a line holds fewer numbers than
columns, which cell is blank cannot be known: the reading is marked ambiguous, never guessed.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tempfile
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import lxml.html

from govaudit.crawler.extract import parse_html

FORMAT_2019 = "2019"   # 国办公开办函〔2019〕60号: the 2019 and 2020 reports
FORMAT_2021 = "2021"   # 国办公开办函〔2021〕30号: from the 2021 report on

SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("一、总体情况", ("总体情况",)),
    ("二、主动公开政府信息情况", ("主动公开政府信息情况", "主动公开情况")),
    ("三、收到和处理政府信息公开申请情况", ("收到和处理政府信息公开申请", "依申请公开", "处理政府信息公开申请")),
    ("四、政府信息公开行政复议、行政诉讼情况", ("行政复议、行政诉讼", "行政复议和行政诉讼", "行政复议及行政诉讼")),
    ("五、存在的主要问题及改进情况", ("存在的主要问题", "主要问题及改进")),
    ("六、其他需要报告的事项", ("其他需要报告的事项", "其他需要报告")),
)

APPLICANT_COLUMNS = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")

# 表三 rows: key and the label words that must all appear (the key prefix says the group).
_T3_ROWS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("new", ("本年新收",)),
    ("carried_in", ("上年结转",)),
    ("open", ("予以公开",)),
    ("partial", ("部分公开",)),
    ("refuse_1", ("国家秘密",)),
    ("refuse_2", ("禁止公开",)),
    ("refuse_3", ("三安全一稳定",)),
    ("refuse_4", ("第三方合法权益",)),
    ("refuse_5", ("内部事务",)),
    ("refuse_6", ("过程性信息",)),
    ("refuse_7", ("行政执法案卷",)),
    ("refuse_8", ("行政查询事项",)),
    ("unable_1", ("不掌握",)),
    ("unable_2", ("没有现成信息",)),
    ("unable_3", ("补正后",)),
    ("nohandle_1", ("信访",)),
    ("nohandle_2", ("重复申请",)),
    ("nohandle_3", ("公开出版物",)),
    ("nohandle_4", ("大量反复",)),
    ("nohandle_5", ("确认或重新出具",)),
    ("other_1", ("逾期不补正",)),
    ("other_2", ("收费通知",)),
    ("other_3", ("其他",)),
    ("total", ("总计",)),
    ("carried_out", ("结转下年度",)),
    ("other", ("其他处理",)),   # the 2019 layout's single row; in a 2021 report, a format error
)
ROW_LABELS = {
    "new": "一、本年新收政府信息公开申请数量", "carried_in": "二、上年结转政府信息公开申请数量",
    "balance": "（七）总计 + 四、结转下年度（应等于 一 + 二）",
    "open": "（一）予以公开", "partial": "（二）部分公开", "total": "（七）总计", "carried_out": "四、结转下年度继续办理",
    **{f"refuse_{i}": f"（三）不予公开 {i}" for i in range(1, 9)}, **{f"unable_{i}": f"（四）无法提供 {i}" for i in range(1, 4)},
    **{f"nohandle_{i}": f"（五）不予处理 {i}" for i in range(1, 6)}, **{f"other_{i}": f"（六）其他处理 {i}" for i in range(1, 4)},
    "other": "（六）其他处理",
}
T4_GROUPS = ("行政复议", "行政诉讼（未经复议直接起诉）", "行政诉讼（复议后起诉）")
T4_COLUMNS = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")


@dataclass(frozen=True)
class Cell:
    value: int | float | None   # None: blank (read as 0 for sums)
    raw: str

    @property
    def number(self) -> float:
        return self.value or 0


@dataclass
class Table:
    name: str                                  # 表二 / 表三 / 表四
    rows: dict[str, list[Cell]] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    ambiguous: list[str] = field(default_factory=list)   # rows whose cells could not be placed
    source: str = "table"                      # table / text

    def blank_cells(self) -> list[tuple[str, int]]:
        return [(key, i) for key, cells in self.rows.items() for i, cell in enumerate(cells) if cell.value is None]


@dataclass
class AnnualReport:
    title: str
    year: int | None
    text: str
    sections: dict[str, bool]
    table3: Table | None
    table4: Table | None
    table2: Table | None
    unreadable: str | None = None             # why the report could not be read at all

    @property
    def format(self) -> str:
        return FORMAT_2019 if self.year is not None and self.year <= 2020 else FORMAT_2021


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def squeeze(text: str) -> str:
    return "".join(normalise(text).split())


def parse_number(raw: str) -> int | float | None:
    """'1,234' / '１２' / ' 5 ' -> a number; '', '-', '—', '/' -> None (blank)."""
    text = normalise(raw).replace(",", "").replace("，", "").strip()
    if text in ("", "-", "—", "–", "/", "\\", "无"):
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return int(value) if value.is_integer() else value


def _is_number(raw: str) -> bool:
    text = normalise(raw).replace(",", "").strip()
    return bool(re.fullmatch(r"-?\d+(\.\d+)?", text))


# -- grids --------------------------------------------------------------------------------

def html_grid(table: Any) -> list[list[str]]:
    """A <table> as rows of cell texts with rowspan and colspan expanded."""
    grid: list[list[str]] = []
    pending: dict[tuple[int, int], str] = {}
    for r, tr in enumerate(table.iter("tr")):
        row: list[str] = []
        column = 0
        cells = [c for c in tr if isinstance(c.tag, str) and c.tag in ("td", "th")]
        for cell in cells:
            while (r, column) in pending:
                row.append(pending.pop((r, column)))
                column += 1
            text = " ".join(cell.text_content().split())
            rowspan = _span(cell.get("rowspan"))
            colspan = _span(cell.get("colspan"))
            for c in range(colspan):
                row.append(text)
                for extra in range(1, rowspan):
                    pending[(r + extra, column + c)] = text
            column += colspan
        while (r, column) in pending:
            row.append(pending.pop((r, column)))
            column += 1
        grid.append(row)
    return grid


def _span(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), 50))
    except ValueError:
        return 1


# -- table recognition ----------------------------------------------------------------------

def _row_key(label: str, used: set[str], fmt: str) -> str | None:
    flat = squeeze(label)
    rows = list(_T3_ROWS)
    if fmt == FORMAT_2019:
        rows = [r for r in rows if not r[0].startswith("other_")]
    for key, words in rows:
        if key in used:
            continue
        if key == "open" and ("部分" in flat or "不予" in flat):
            continue
        if key == "other_3" and (not flat.endswith("其他") or "逾期" in flat):
            continue
        if all(w in flat for w in words):
            return key
    return None


def table3_from_rows(rows: list[tuple[str, list[str]]], fmt: str, source: str) -> Table:
    """Rows of (label, the cells after it) -> 表三; a row with the wrong count of cells is ambiguous."""
    table = Table("表三", source=source)
    for label, cells in rows:
        if not cells:
            continue  # a header row
        key = _row_key(label, set(table.rows), fmt)
        if key is None:
            continue
        if len(cells) != len(APPLICANT_COLUMNS):
            table.ambiguous.append(f"{ROW_LABELS.get(key, key)}：读到 {len(cells)} 个数，应为 {len(APPLICANT_COLUMNS)} 个")
            continue
        table.rows[key] = [Cell(parse_number(c), c) for c in cells]
        table.labels[key] = label
    return table


def _split_label(row: list[str]) -> tuple[str, list[str]]:
    """Leading label cells and the trailing value cells of a grid row."""
    values: list[str] = []
    for cell in reversed(row):
        if _is_number(cell) or parse_number(cell) is None and len(normalise(cell).strip()) <= 1:
            values.append(cell)
        else:
            break
    values.reverse()
    label_cells = row[: len(row) - len(values)]
    label = " ".join(dict.fromkeys(c for c in label_cells if c))
    return label, values


def table3_from_grid(grid: list[list[str]], fmt: str) -> Table:
    return table3_from_rows([_split_label(row) for row in grid], fmt, "table")


def table4_from_grid(grid: list[list[str]]) -> Table:
    """表四: the row of 15 numbers (3 groups x 5 columns), below its two header rows."""
    table = Table("表四")
    for row in grid:
        numbers = [c for c in row if _is_number(c) or (parse_number(c) is None and len(normalise(c).strip()) <= 1)]
        if len(numbers) == 15:
            for g, group in enumerate(T4_GROUPS):
                table.rows[group] = [Cell(parse_number(c), c) for c in numbers[g * 5:(g + 1) * 5]]
            break
    return table


def table4_from_text(text: str) -> Table:
    table = Table("表四", source="text")
    for line in normalise(text).splitlines():
        numbers = re.findall(r"-?\d[\d,]*", line)
        if len(numbers) == 15 and not re.search(r"[\u4e00-\u9fff]{4,}", line):
            for g, group in enumerate(T4_GROUPS):
                table.rows[group] = [Cell(parse_number(c), c) for c in numbers[g * 5:(g + 1) * 5]]
            break
    return table


def table3_from_text(text: str, fmt: str) -> Table:
    """Lines such as "一、本年新收政府信息公开申请数量 20 5 0 0 0 1 26"."""
    rows = []
    for line in normalise(text).splitlines():
        match = re.match(r"^\s*(.*?[\u4e00-\u9fff）)])\s*((?:-?\d[\d,]*\s*)+)$", line.strip())
        if match:
            rows.append((match.group(1), match.group(2).split()))
    return table3_from_rows(rows, fmt, "text")


# -- the whole report -----------------------------------------------------------------------

def _sections(text: str) -> dict[str, bool]:
    flat = squeeze(text)
    return {name: any(squeeze(w) in flat for w in words) for name, words in SECTIONS}


def report_year(title: str, text: str = "") -> int | None:
    match = re.search(r"(20\d{2})\s*年度?[^。]{0,30}?(政府)?信息公开(工作)?年度?报告", normalise(title + " " + text[:400]))
    if match:
        return int(match.group(1))
    match = re.search(r"(20\d{2})\s*年", normalise(title)) or re.search(r"(?<!\d)(20\d{2})(?!\d)", normalise(title))
    if match:
        return int(match.group(1))
    # A PDF may set the title's digits in another font, extracted on a line of their own.
    match = re.search(r"(?<!\d)(20\d{2})(?!\d)", normalise(text[:150]))
    return int(match.group(1)) if match and "报告" in normalise(title + text[:150]) else None


def from_html(html: str, title_hint: str = "") -> AnnualReport:
    tree = parse_html(html)
    title = title_hint or _first_heading(tree)
    text = "\n".join(" ".join(t.split()) for t in tree.xpath("//body//text()[not(ancestor::script) and "
                                                              "not(ancestor::style)]") if t.strip())
    year = report_year(title, text)
    fmt = FORMAT_2019 if year is not None and year <= 2020 else FORMAT_2021
    grids = [html_grid(t) for t in tree.iter("table")]
    report = _from_grids(title, year, text, grids, fmt)
    if not text.strip() and tree.find(".//img") is not None:
        report.unreadable = "年度报告只以图片形式发布，无法读取文字和表格"
    return report


def _from_grids(title: str, year: int | None, text: str, grids: list[list[list[str]]], fmt: str) -> AnnualReport:
    table3 = table4 = table2 = None
    for grid in grids:
        flat = squeeze(" ".join(" ".join(row) for row in grid))
        if "本年新收" in flat and table3 is None:
            table3 = table3_from_grid(grid, fmt)
        elif "行政复议" in flat and "维持" in flat and table4 is None:
            table4 = table4_from_grid(grid)
        elif "规章" in flat and "规范性文件" in flat and table2 is None:
            table2 = Table("表二")
    if table3 is None and "本年新收" in squeeze(text):
        table3 = table3_from_text(text, fmt)
    if table4 is None and "行政复议" in text and "维持" in text:
        table4 = table4_from_text(text)
    if table2 is None and "规章" in text and "规范性文件" in text and "本年" in text:
        table2 = Table("表二", source="text")
    return AnnualReport(title, year, text, _sections(text), table3, table4, table2)


def from_text(text: str, title_hint: str = "") -> AnnualReport:
    title = title_hint or next((line.strip() for line in text.splitlines() if line.strip()), "")
    year = report_year(title, text)
    fmt = FORMAT_2019 if year is not None and year <= 2020 else FORMAT_2021
    return _from_grids(title, year, text, [], fmt)


def from_pdf(data: bytes, title_hint: str = "") -> AnnualReport:
    import logging

    import pdfplumber

    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # font warnings of real PDFs are not ours to show
    texts: list[str] = []
    grids: list[Any] = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            texts.append(page.extract_text() or "")
            grids.extend([[c or "" for c in row] for row in table] for table in page.extract_tables())
    text = "\n".join(texts)
    if not text.strip():
        report = from_text("", title_hint)
        report.unreadable = "PDF 中没有可提取的文字（可能是扫描图片），无法读取"
        return report
    title = title_hint or next((line.strip() for line in text.splitlines() if line.strip()), "")
    year = report_year(title, text)
    fmt = FORMAT_2019 if year is not None and year <= 2020 else FORMAT_2021
    return _from_grids(title, year, text, grids, fmt)


def from_docx(data: bytes, title_hint: str = "") -> AnnualReport:
    import docx

    document = docx.Document(io.BytesIO(data))
    paragraphs = [p.text for p in document.paragraphs]
    grids = [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]
    text = "\n".join(paragraphs + [" ".join(row) for grid in grids for row in grid])
    title = title_hint or next((p.strip() for p in paragraphs if p.strip()), "")
    year = report_year(title, text)
    fmt = FORMAT_2019 if year is not None and year <= 2020 else FORMAT_2021
    return _from_grids(title, year, text, grids, fmt)


def from_xlsx(data: bytes, title_hint: str = "") -> AnnualReport:
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    grids = [[["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
             for sheet in book.worksheets]
    text = "\n".join(" ".join(row) for grid in grids for row in grid)
    year = report_year(title_hint, text)
    fmt = FORMAT_2019 if year is not None and year <= 2020 else FORMAT_2021
    return _from_grids(title_hint, year, text, grids, fmt)


def read_report(data: bytes, name: str, content_type: str = "") -> AnnualReport:
    """Any supported file: by suffix or content type, else sniffed. A file that cannot be
    parsed gives a report that says so (never an exception)."""
    try:
        return _read_report(data, name, content_type)
    except Exception as exc:  # broken PDF/DOCX/XLSX from a site: say so, do not crash
        report = from_text("", name)
        report.unreadable = f"文件无法解析（{type(exc).__name__}），可能已损坏或格式不符"
        return report


_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"   # .doc / .wps / .xls of the Office 97 era
_LEGACY_WORD = (".doc", ".wps")
_CATDOC_SECONDS = 20


def _read_report(data: bytes, name: str, content_type: str) -> AnnualReport:
    lower = name.lower()
    if lower.endswith(".pdf") or "pdf" in content_type or data[:5] == b"%PDF-":
        return from_pdf(data)
    if lower.endswith(".docx") or "wordprocessingml" in content_type:
        return from_docx(data)
    if lower.endswith((".xlsx", ".xlsm")) or "spreadsheetml" in content_type:
        return from_xlsx(data)
    if lower.endswith(_LEGACY_WORD) or "msword" in content_type or data[:8] == _OLE_MAGIC:
        return from_legacy_word(data, name)
    if lower.endswith(".ofd") or data[:2] == b"PK" or b"\x00" in data[:4096]:
        return _unreadable(f"“{name.rsplit('/', 1)[-1] or name}”不是可读取的文本、HTML、PDF、Word 或 Excel 文件"
                           "（如 OFD 版式文件、压缩包），无法读取")
    from govaudit.crawler.encoding import decode_body

    text = decode_body(data, content_type or None)[0]
    if lower.endswith((".htm", ".html", ".shtml")) or "<table" in text.lower() or "<html" in text.lower():
        return from_html(text)
    return from_text(text)


def _unreadable(why: str) -> AnnualReport:
    report = from_text("")
    report.unreadable = why
    return report


def from_legacy_word(data: bytes, name: str = "") -> AnnualReport:
    """A .doc/.wps file, through Debian's catdoc when it is installed (tables come out as
    flattened text, which from_text reads); without it, or when it fails, unreadable."""
    catdoc = shutil.which("catdoc")
    if catdoc is None:
        return _unreadable("Word 97-2003（.doc）或 WPS 格式的文件，本机未安装 catdoc，无法读取")
    with tempfile.NamedTemporaryFile(suffix=".doc") as handle:
        handle.write(data)
        handle.flush()
        try:
            done = subprocess.run([catdoc, "-w", "-d", "utf-8", handle.name], capture_output=True,
                                  timeout=_CATDOC_SECONDS, check=False)
        except subprocess.TimeoutExpired:
            return _unreadable("Word 97-2003（.doc）或 WPS 文件解析超时，无法读取")
    text = done.stdout.decode("utf-8", errors="replace")
    if done.returncode != 0 or len("".join(text.split())) < 20:
        return _unreadable("Word 97-2003（.doc）或 WPS 文件无法解析（可能已损坏或为新版 WPS 格式），无法读取")
    return from_text(text, name)


def _first_heading(tree: lxml.html.HtmlElement) -> str:
    for tag in ("h1", "h2", "title"):
        element = tree.find(f".//{tag}")
        if element is not None and element.text_content().strip():
            return " ".join(element.text_content().split())
    return ""
