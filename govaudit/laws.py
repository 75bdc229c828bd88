"""Which law reference library an audit uses: the one imported into the store, else the
snapshot shipped with govaudit. Import validates the whole file before replacing anything."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from govaudit.checks.sitemodel.laws import LawLibrary, LibraryError, parse_library, shipped_library
from govaudit.crawler.snapshot import now_iso
from govaudit.database import StoreTarget, sqlite_path
from govaudit.errors import GovauditError
from govaudit.store import Store


class ImportRejected(GovauditError):
    exit_code = 2


def active_library(store_path: StoreTarget) -> LawLibrary:
    file = sqlite_path(store_path)
    if file is None or file.exists():   # (an SQLite store not made yet has imported nothing)
        with Store(store_path) as store:
            saved = store.law_library_csv()
        if saved is not None:
            text, snapshot, source, _ = saved
            return parse_library(text, snapshot_date=date.fromisoformat(snapshot), source=source)
    return shipped_library()


def import_library(store_path: StoreTarget, csv_path: Path, snapshot_date: date) -> LawLibrary:
    """Validate `csv_path` whole; only then replace the store's library. Raises ImportRejected."""
    try:
        text = csv_path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ImportRejected(f"文件不存在：{csv_path}") from None
    except UnicodeDecodeError:
        raise ImportRejected(f"{csv_path} 不是 UTF-8 编码的 CSV 文件，原有参考库保持不变") from None
    source = f"用户导入：{csv_path.name}"
    try:
        library = parse_library(text, snapshot_date=snapshot_date, source=source)
    except LibraryError as exc:
        raise ImportRejected(f"{csv_path} 无法导入（{exc}），原有参考库保持不变") from None
    with Store(store_path) as store:
        store.save_law_library(text, snapshot_date.isoformat(), source, now_iso())
    return library
