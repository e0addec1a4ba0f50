"""The archive: every report under ``docs/reports``, validated, with lookups by year, unit, person."""

from __future__ import annotations

import functools
import os
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from . import forked
from .cache import Cache, code_version, digest, keeping, remember
from .docs import scan_docs
from .model import Problem, Report
from .source import decode, guess_encoding, split
from .units import Registry, load_registry
from .validate import check_duplicates, check_source, max_year

MAX_REPORT_BYTES = 2 * 1024 * 1024


def load_report(data: bytes, file: str, registry: Registry) -> tuple[Report | None, list[Problem]]:
    """Decode, split and check one report file given as bytes; None when it cannot be published."""
    if len(data) > MAX_REPORT_BYTES:
        size = f"{len(data) / 2**20:.1f} MB"
        return None, [Problem(file, None, f"文件有 {size}，超过报告的上限 2 MB。请检查是否误贴了其他内容。", "size")]
    text = decode(data)
    if text is None:
        encoding = guess_encoding(data)
        looks = f"，看起来是 {encoding} 编码" if encoding else ""
        return None, [Problem(file, None, f"文件不是 UTF-8 编码{looks}。请另存为 UTF-8。", "encoding")]
    source, problems = split(text, file)
    if source is None:
        return None, problems
    report, problems = check_source(source, file, registry)
    if report is not None:  # computed once here, so that they are kept with a cached report
        _ = report.title, report.length
    return report, problems


@dataclass
class Archive:
    """Published reports (drafts left out) plus what validation found."""

    reports: list[Report] = field(default_factory=list)
    registry: Registry = field(default_factory=Registry)
    problems: list[Problem] = field(default_factory=list)
    drafts: list[str] = field(default_factory=list)
    # Docs-relative paths that must not be built at all: report files that are not valid reports,
    # files that do not belong under reports/, symlinks (a folder's whole content with it).
    excluded: list[str] = field(default_factory=list)
    # Report path -> reuse figures (see reuse.py), filled in by attach_reuse().
    reuse: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.reports.sort(key=lambda r: (r.year, self.registry.sort_key(self.unit_of(r)), r.path))
        self._by_path = {r.path: r for r in self.reports}
        self._left_out = set(self.excluded) | set(self.drafts)
        self.by_year: dict[int, list[Report]] = defaultdict(list)
        self.by_unit: dict[str, list[Report]] = defaultdict(list)
        self.by_secretary: dict[str, list[Report]] = defaultdict(list)
        self._place: dict[str, int] = {}  # report path -> its index in by_unit[its unit]
        self._signatures: dict[str, str] = {}
        for report in self.reports:
            self.by_year[report.year].append(report)
            self._place[report.path] = len(self.by_unit[self.unit_of(report)])
            self.by_unit[self.unit_of(report)].append(report)
            self.by_secretary[report.secretary].append(report)

    def unit_of(self, report: Report) -> str:
        """The unit a report belongs to now (a report under a former name goes to the current unit)."""
        return self.registry.canonical(report.unit)

    def signature(self, report: Report) -> str:
        """A digest of all another page can show of ``report``: path, front matter, text, unit as registered now."""
        found = self._signatures.get(report.path)
        if found is None:
            unit = self.unit_of(report)  # the unit as named in the report is part of its content
            found = report.content_digest if unit == report.unit else digest(report.content_digest, unit)
            self._signatures[report.path] = found
        return found

    @functools.cached_property
    def whole_signature(self) -> str:
        """A digest of every report's signature: what a page that shows the whole archive depends on."""
        return digest(*map(self.signature, self.reports))

    def left_out(self, src: str) -> bool:
        """Whether docs file ``src`` stays out of the build: a draft, excluded, or inside an excluded folder."""
        parts = src.split("/")
        return any("/".join(parts[:n]) in self._left_out for n in range(1, len(parts) + 1))

    def get(self, path: str) -> Report | None:
        return self._by_path.get(path)

    @property
    def years(self) -> list[int]:
        return sorted(self.by_year)

    @property
    def units(self) -> list[str]:
        return sorted(self.by_unit, key=self.registry.sort_key)

    @property
    def secretaries(self) -> list[str]:
        return sorted(self.by_secretary)

    def neighbours(self, report: Report) -> tuple[Report | None, Report | None]:
        """The same unit's previous and next report (by year, then path)."""
        reports = self.by_unit[self.unit_of(report)]  # already sorted by year, then path
        index = self._place[report.path]
        previous = reports[index - 1] if index > 0 else None
        following = reports[index + 1] if index + 1 < len(reports) else None
        return previous, following


def load_archive(docs_dir: Path, units_file: Path, cache: Cache | None = None, split: bool = False) -> Archive:
    """Read and check every report under ``docs_dir/reports`` against the registry.

    With a ``cache``, a report whose bytes, path and registry are unchanged is not parsed again.
    ``split``: half the reports are read by a second process meanwhile (see :mod:`forked`).
    """
    registry, found_in_registry = _registry(units_file)
    problems = list(found_in_registry)
    # What else a report's checks depend on: the registry, and today's date (the latest valid year).
    registry_key = digest(repr(registry.units), registry.path, str(max_year()))
    files, excluded, found = scan_docs(docs_dir)
    problems += found
    loaded: list[Report] = []
    cache = cache or Cache(None)
    seen: dict[str, tuple[tuple[int, ...], str, str]] = {}

    def load(item: tuple[str, str]) -> tuple[Report | None, list[Problem]]:
        return _load(*item, registry, registry_key, cache, seen)

    results = forked.map_split(load, files, "读取报告失败") if split else [load(item) for item in files]
    for (_, file), (report, found) in zip(files, results, strict=True):
        problems += found
        if report is not None:
            loaded.append(report)
        else:
            excluded.append(file)
    if keeping():
        _SEEN.clear()
        _SEEN.update(seen)
    problems += check_duplicates(loaded)
    return Archive(
        reports=[r for r in loaded if not r.draft],
        registry=registry,
        problems=sorted(problems, key=problem_order),
        drafts=[r.path for r in loaded if r.draft],
        excluded=sorted(excluded),
    )


def _registry(units_file: Path) -> tuple[Registry, list[Problem]]:
    """``load_registry``; ``mkdocs serve`` reads the file again only when its stat changed (see ``_load``)."""
    try:
        stat = os.stat(units_file, follow_symlinks=False)
    except OSError:
        return load_registry(units_file)
    signature = (stat.st_size, stat.st_ino, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_mode)
    return remember(("registry", str(units_file), signature), functools.partial(load_registry, units_file))


# ``mkdocs serve``: file -> its stat and the cache key it was loaded under in the last build.
_SEEN: dict[str, tuple[tuple[int, ...], str, str]] = {}


def _load(
    path: str, file: str, registry: Registry, registry_key: str, cache: Cache, seen: dict
) -> tuple[Report | None, list[Problem]]:
    """One report file, through the cache. In ``mkdocs serve``, a file whose size, inode, modification
    and change times are those of the last build is not read again: every write changes its change time."""
    stat = os.stat(path)
    signature = (stat.st_size, stat.st_ino, stat.st_mtime_ns, stat.st_ctime_ns)
    last = _SEEN.get(file)
    if last is not None and last[:2] == (signature, registry_key):
        found = cache.get(last[2], keep=True)
        if found is not None:
            seen[file] = last
            return found
    data = Path(path).read_bytes()
    key = digest("load", code_version(), file, registry_key, data)
    seen[file] = (signature, registry_key, key)
    return cache.cached(key, functools.partial(load_report, data, file, registry), keep=True)


def problem_order(problem: Problem) -> tuple[str, int]:
    return (problem.file, problem.line or 0)
