"""The text of documents the crawl downloaded (snapshot.attachments: PDF, DOCX, XLSX), for
the rules that read text (privacy.*, content.wording, content.sensitive_names). Table cells
become lines of their own, so a row's cells stay neighbours as on a page. Bounded: the first
pages of a PDF, the first rows of a sheet; a file that is truncated, of another format (.doc,
.wps, .xls) or broken gives no text and says why."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from govaudit.checks.base import RuleContext
from govaudit.checks.pagetext import nfkc
from govaudit.crawler.snapshot import Attachment, SiteSnapshot

MAX_PDF_PAGES = 50
MAX_SHEET_ROWS = 5000


@dataclass(frozen=True)
class AttachmentText:
    url: str
    name: str              # the file name, as a title
    text: str | None       # None: not read
    why_not: str = ""


def attachment_texts(snapshot: SiteSnapshot, context: RuleContext) -> list[AttachmentText]:
    """Every downloaded attachment's text, read once per judging."""
    return context.models.get(_read_all, snapshot, context)


def _read_all(snapshot: SiteSnapshot, context: RuleContext) -> list[AttachmentText]:
    return [read_attachment(a) for a in snapshot.attachments.values()]


def read_attachment(attachment: Attachment) -> AttachmentText:
    name = unquote(urlsplit(attachment.url).path.rsplit("/", 1)[-1])
    if attachment.truncated:
        return AttachmentText(attachment.url, name, None, "文件超过下载上限，只取得一部分，未读取")
    kind = _kind(attachment)
    if kind is None:
        return AttachmentText(attachment.url, name, None, "文件格式不支持读取（只读 PDF、DOCX、XLSX）")
    try:
        lines = list(_READERS[kind](attachment.data))
    except Exception as exc:  # noqa: BLE001 - a broken file from a site is a fact about it, never a crash
        return AttachmentText(attachment.url, name, None, f"文件无法解析（{type(exc).__name__}）")
    return AttachmentText(attachment.url, name, nfkc("\n".join(line for line in lines if line.strip())))


def _kind(attachment: Attachment) -> str | None:
    path = urlsplit(attachment.url).path.lower()
    content_type = attachment.content_type.lower()
    if path.endswith(".pdf") or "pdf" in content_type or attachment.data[:5] == b"%PDF-":
        return "pdf"
    if path.endswith(".docx") or "wordprocessingml" in content_type:
        return "docx"
    if path.endswith(".xlsx") or "spreadsheetml" in content_type:
        return "xlsx"
    return None


def _pdf(data: bytes) -> Iterator[str]:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages[:MAX_PDF_PAGES]:
            yield from (page.extract_text() or "").splitlines()


def _docx(data: bytes) -> Iterator[str]:
    import docx

    document = docx.Document(io.BytesIO(data))
    yield from (p.text for p in document.paragraphs)
    for table in document.tables:
        for row in table.rows:
            yield from (cell.text for cell in row.cells)


def _xlsx(data: bytes) -> Iterator[str]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        for sheet in book.worksheets:
            for index, row in enumerate(sheet.iter_rows(values_only=True)):
                if index >= MAX_SHEET_ROWS:
                    break
                yield from (str(value) for value in row if value is not None)
    finally:
        book.close()


_READERS = {"pdf": _pdf, "docx": _docx, "xlsx": _xlsx}
