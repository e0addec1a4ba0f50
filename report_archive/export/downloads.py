"""The Word files of a published site: ``downloads/`` with one file per report and per year.

Written at publish time (``scripts/publish.py``, the Publish workflow), after the build. Each
file is kept in the archive's build cache (:mod:`..cache`: keyed by what it is made from and the
archive's code, verified on reading), so a publish converts only the reports whose content
changed since the last one, and a year's compilation only when one of its reports changed. A
compilation's cover shows the date it was made, which is the date of its reports' last change.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ..archive import Archive
from ..cache import Cache, code_version, digest
from ..model import Report
from .pages import report_download, year_download
from .selection import select_year
from .word import compilation_docx, report_docx


@dataclass
class Written:
    converted: int = 0  # files made by pandoc in this run
    reused: int = 0  # files taken from the cache


def report_key(report: Report) -> str:
    return digest("export-report-docx", code_version(), report.content_digest)


def year_key(reports: list[Report] | tuple[Report, ...]) -> str:
    return digest("export-year-docx", code_version(), *(report_key(r) for r in reports))


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, prefix=".tmp-") as handle:
        handle.write(data)
    os.replace(handle.name, path)


def write_downloads(archive: Archive, site: Path, cache: Cache, today: dt.date | None = None) -> Written:
    """Every report's and every year's Word file under ``site``; only what changed is converted."""
    today = today or dt.date.today()
    jobs: dict[str, tuple[str, object]] = {}  # target -> (cache key, what to convert)
    for report in archive.reports:
        jobs[report_download(report)] = (report_key(report), report)
    for year in archive.years:
        selection = select_year(archive, year)
        jobs[year_download(year)] = (year_key(selection.reports), selection)
    found = {target: cache.get(key) for target, (key, _) in jobs.items()}
    missing = [target for target, data in found.items() if not isinstance(data, bytes)]

    def convert(target: str) -> bytes:
        key, item = jobs[target]
        data = report_docx(item) if isinstance(item, Report) else compilation_docx(item, today)
        cache.put(key, data)
        return data

    # pandoc runs as a subprocess: threads keep every core busy.
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        found |= dict(zip(missing, pool.map(convert, missing), strict=True))
    for target, data in found.items():
        assert isinstance(data, bytes)
        _write(site / target, data)
    return Written(converted=len(missing), reused=len(jobs) - len(missing))
