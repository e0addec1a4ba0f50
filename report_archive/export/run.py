"""One export run: a selection written as .docx, .html or .pdf files, together or one per report."""

from __future__ import annotations

import datetime as dt
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..archive import Archive
from ..cache import Cache
from ..model import Report
from .html import print_parts, standalone
from .pdf import print_joined
from .selection import Selection, report_folder, report_stem, select_paths
from .word import ExportError, compilation_docx, report_docx

FORMATS = ("docx", "pdf", "html")


def resolve_paths(archive: Archive, docs_dir: Path, paths: list[str]) -> list[Report]:
    """Report files named on the command line (under the docs folder) -> the archive's reports."""
    reports = []
    for name in paths:
        path = Path(name).resolve()
        try:
            relative = path.relative_to(docs_dir.resolve()).as_posix()
        except ValueError:
            raise ExportError(f"{name} 不在报告目录 {docs_dir} 中。") from None
        report = archive.get(relative)
        if report is None:
            reason = "是草稿或未通过检查" if path.exists() else "不存在"
            raise ExportError(f"{name} 不是档案中的报告（{reason}）。")
        reports.append(report)
    return reports


def _single(report: Report) -> Selection:
    return select_paths([report])


def _html(selection: Selection, today: dt.date, css: str, cache: Cache, cover: bool) -> bytes:
    return standalone(selection, today, css, cache, cover).encode("utf-8")


def run_export(
    selection: Selection,
    fmt: str,
    out: Path,
    *,
    each: bool = False,
    css: str = "",
    today: dt.date | None = None,
    cache: Cache | None = None,
) -> list[Path]:
    """Write the selection's files into ``out``; return them in order.

    A compilation is ``out/<title>.<fmt>``; with ``each``, a report is ``out/<year>/<name>.<fmt>``
    (the archive's own layout, which ``import_reports.py --pattern '{year}/{unit}.docx'`` reads back).
    """
    if fmt not in FORMATS:
        raise ExportError(f"未知的格式“{fmt}”：可用 {'、'.join(FORMATS)}。")
    if not selection.reports:
        raise ExportError("没有可导出的报告。")
    today = today or dt.date.today()
    cache = cache or Cache(None)
    if each:
        items = [(out / report_folder(r) / f"{report_stem(r)}.{fmt}", _single(r)) for r in selection.reports]
    else:
        items = [(out / f"{selection.stem}.{fmt}", selection)]
    for target, _ in items:
        target.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "docx":

        def word(item: tuple[Path, Selection]) -> None:
            target, chosen = item
            data = report_docx(chosen.reports[0]) if each else compilation_docx(chosen, today)
            target.write_bytes(data)

        with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            list(pool.map(word, items))
    elif fmt == "html":
        for target, chosen in items:
            target.write_bytes(_html(chosen, today, css, cache, not each))
    else:
        for target, chosen in items:
            print_joined(print_parts(chosen, today, css, cache, not each), target)
    return [target for target, _ in items]
