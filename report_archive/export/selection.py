"""Which reports an export holds, in which order, and what its cover says."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from ..archive import Archive
from ..model import DEFAULT_KIND, Report


@dataclass(frozen=True)
class Selection:
    """Reports to export together, in order, with the compilation's title and file name stem."""

    title: str  # the cover's title, e.g. 2022年度述职报告汇编
    subtitle: str  # the cover line under it, e.g. 2022年
    stem: str  # the compilation's file name without extension (a safe path segment)
    reports: tuple[Report, ...]


def _kind(reports: list[Report] | tuple[Report, ...]) -> str:
    """The reports' common kind (述职报告, 政府工作报告 …), or 报告 when they differ."""
    kinds = {r.kind for r in reports}
    return kinds.pop() if len(kinds) == 1 else "报告" if kinds else DEFAULT_KIND


def registry_order(archive: Archive, reports: list[Report]) -> list[Report]:
    """Units in the order of units.yml, then by file name (as on the year page)."""
    return sorted(reports, key=lambda r: (archive.registry.sort_key(archive.unit_of(r)), r.path))


def select_year(archive: Archive, year: int) -> Selection:
    reports = registry_order(archive, archive.by_year.get(year, []))
    return Selection(f"{year}年度{_kind(reports)}汇编", f"{year}年", f"{year}年度{_kind(reports)}汇编", tuple(reports))


def select_unit(archive: Archive, unit: str) -> Selection:
    """Every year of one unit (under its current name), oldest first."""
    reports = sorted(archive.by_unit.get(unit, []), key=lambda r: (r.year, r.path))
    years = f"{reports[0].year}—{reports[-1].year}年" if reports else ""
    stem = f"{unit}历年{_kind(reports)}汇编"
    return Selection(f"{unit}历年{_kind(reports)}汇编", years, stem, tuple(reports))


def select_paths(reports: list[Report]) -> Selection:
    """Reports named one by one, in the order given."""
    years = sorted({r.year for r in reports})
    span = "" if not years else f"{years[0]}年" if len(years) == 1 else f"{years[0]}—{years[-1]}年"
    return Selection(f"{_kind(reports)}汇编", span, f"{_kind(reports)}汇编", tuple(reports))


def report_stem(report: Report) -> str:
    """A report's own export name: its file name (already a safe path segment) without '.md'."""
    return PurePosixPath(report.path).stem


def report_folder(report: Report) -> str:
    """The folder of a report's own export: its year."""
    return str(report.year)
