"""An import run: read every source (in parallel), check it, write what validates, report all.

Metadata, strongest first: ``options.given`` (flags), the manifest, the path pattern, the text.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..model import DEFAULT_KIND
from ..source import split
from ..units import Registry, Unit, load_registry
from ..validate import check_source
from .convert import Draft, convert, fields_from_path, pattern_regex
from .errors import ImportFailure
from .legacy import convert_many, soffice
from .reading import LEGACY_SUFFIXES, OLE2, read_bytes
from .sources import Manifest, register_units, skip_reason, write_atomic

PARALLEL_FROM = 4  # fewer files are read in this process
Progress = Callable[[int, int], None]


@dataclass
class Outcome:
    """What happened to one source file."""

    source: str
    status: str  # 导入 / 将导入 / 跳过 / 失败
    target: str = ""
    reason: str = ""
    notes: tuple[str, ...] = ()


@dataclass
class ImportOptions:
    out_dir: Path
    units_file: Path
    given: dict = field(default_factory=dict)  # --year/--unit/--secretary/--position/--title/--date
    manifest: Manifest = field(default_factory=Manifest)
    pattern: str = ""
    kind: str = ""
    force: bool = False
    dry_run: bool = False
    add_units: bool = False


def read_one(path: Path, given: dict, kind: str, converted: bytes | None = None) -> Draft | ImportFailure:
    """Read and convert one file; every problem comes back as an ImportFailure, never raised."""
    try:
        data = path.read_bytes()
        return convert("", given, kind=kind, reading=read_bytes(data, path.name, converted))
    except ImportFailure as exc:
        return exc
    except OSError as exc:
        return ImportFailure(f"无法读取文件（{exc.strerror or '读取错误'}）。")
    except Exception as exc:
        return ImportFailure(f"无法读取此文件：内容异常（{type(exc).__name__}），文件可能已损坏。")


def _legacy(paths: list[Path]) -> dict[Path, bytes | ImportFailure]:
    """LibreOffice's .docx of every legacy Word/WPS file among ``paths``, in one batch."""
    legacy = []
    for path in paths:
        try:
            with path.open("rb") as handle:
                head = handle.read(4)
        except OSError:
            continue
        if head == OLE2 and (path.suffix.lower() in LEGACY_SUFFIXES or path.suffix.lower() == ".docx"):
            legacy.append(path)
    if not legacy or soffice() is None:
        return {}
    return dict(zip(legacy, convert_many([(p.read_bytes(), p.suffix.lower()) for p in legacy]), strict=True))


def read_all(jobs: list[tuple[Path, dict]], kind: str, progress: Progress | None) -> list[Draft | ImportFailure]:
    """Every job read and converted, in order; in parallel over the cores for larger runs."""
    converted = _legacy([path for path, _ in jobs])
    failed = {path: done for path, done in converted.items() if isinstance(done, ImportFailure)}
    args = [(path, given, kind, converted.get(path)) for path, given in jobs]
    workers = min(os.cpu_count() or 1, len(jobs))
    results: list[Draft | ImportFailure] = []
    pool = ProcessPoolExecutor(workers) if len(jobs) >= PARALLEL_FROM and workers > 1 else None
    try:
        futures = [None if a[0] in failed else pool.submit(read_one, *a) if pool else None for a in args]
        for number, (future, a) in enumerate(zip(futures, args, strict=True)):
            if a[0] in failed:
                results.append(failed[a[0]])
            else:
                results.append(future.result() if future else read_one(*a))
            if progress:
                progress(number + 1, len(jobs))
    finally:
        if pool:
            pool.shutdown(cancel_futures=True)
    return results


def _given(path: Path, options: ImportOptions, regex, registry: Registry) -> dict:
    given = fields_from_path(path.as_posix(), regex) | options.manifest.get(path)
    given |= {k: v for k, v in options.given.items() if v}
    if given.get("unit") and given["unit"] not in registry and registry.by_alias(given["unit"]):
        given["unit"] = registry.by_alias(given["unit"]).name
    return given


def _triage(sources, options, base, explicit) -> tuple[list[tuple[int, Path]], dict[int, Outcome]]:
    """Files to read, and the outcome of every file that is not read (skipped or refused)."""
    to_read, decided = [], {}
    for number, path in enumerate(sources):
        shown = str(path.relative_to(base)) if base and path.is_relative_to(base) else str(path)
        reason = skip_reason(path, base)
        problem = options.manifest.problems.get(path.resolve())
        if problem:
            decided[number] = Outcome(shown, "失败", reason=problem)
        elif not path.is_file():
            decided[number] = Outcome(shown, "失败", reason="找不到文件。")
        elif reason:
            decided[number] = Outcome(shown, "失败" if path in explicit else "跳过", reason=reason)
        else:
            to_read.append((number, path))
    return to_read, decided


def _orphans(sources: list[Path], manifest: Manifest) -> list[Outcome]:
    read = {p.resolve() for p in sources}
    outcomes = [Outcome(where, "失败", reason=reason) for where, reason in manifest.orphans]
    for path, row in manifest.rows.items():
        if path.is_file() and path not in read and path not in manifest.problems:
            reason = "文件不在命令行给出的文件或文件夹中，未导入（把它加到命令行即可导入）。"
            outcomes.append(Outcome(f"清单第 {row} 行（{path.name}）", "跳过", reason=reason))
    return outcomes


def run_import(
    sources: list[Path],
    options: ImportOptions,
    base: Path | None = None,
    progress: Progress | None = None,
    explicit: set[Path] | frozenset = frozenset(),
) -> list[Outcome]:
    """Convert every source; write what validates (unless dry-run); report each file's outcome.

    Files in ``explicit`` were named by the user: an unsupported kind fails instead of skipping.
    """
    registry, _ = load_registry(options.units_file)
    regex = pattern_regex(options.pattern) if options.pattern else None
    to_read, decided = _triage(sources, options, base, set(explicit))
    jobs = [(path, _given(path, options, regex, registry)) for _, path in to_read]
    results = read_all(jobs, options.kind, progress)
    writer = _Writer(options, registry)
    for (number, path), result in zip(to_read, results, strict=True):
        shown = str(path.relative_to(base)) if base and path.is_relative_to(base) else str(path)
        decided[number] = writer.place(shown, result)
    writer.finish()
    return [decided[n] for n in sorted(decided)] + _orphans(sources, options.manifest)


class _Writer:
    """Places drafts one by one, in source order: duplicates, unknown units, validation, writing."""

    def __init__(self, options: ImportOptions, registry: Registry):
        self.options, self.registry = options, registry
        self.taken: dict[tuple, str] = {}  # (year, unit, secretary, kind) -> source, within this run
        self.targets: set[Path] = set()
        self.new_units: list[str] = []

    def place(self, shown: str, draft: Draft | ImportFailure) -> Outcome:
        if isinstance(draft, ImportFailure):
            return Outcome(shown, "失败", reason=str(draft))
        meta, options = draft.meta, self.options
        key = (meta["year"], meta["unit"], meta["secretary"], meta.get("kind") or DEFAULT_KIND)
        if key in self.taken:
            who = f"{meta['year']} 年{meta['unit']}{meta['secretary']}"
            reason = f"同一年有两份报告：{who}的报告已由 {self.taken[key]} 导入。"
            return Outcome(shown, "失败", reason=reason)
        target = options.out_dir / str(meta["year"]) / draft.filename()
        if target in self.targets:
            draft.suffix = draft.suffix or str(sum(1 for t in self.targets if t.parent == target.parent) + 1)
            target = options.out_dir / str(meta["year"]) / draft.filename()
        registry = self.registry
        if meta["unit"] not in registry:
            if not options.add_units:
                reason = registry.unknown_unit_message(meta["unit"]) + "（或加 --add-units 自动登记）"
                return Outcome(shown, "失败", reason=reason)
            registry = Registry([*registry.units, Unit(meta["unit"], order=len(registry.units))], path=registry.path)
        rel = f"reports/{meta['year']}/{target.name}"
        source, problems = split(draft.text, rel)
        if source is not None:
            problems = check_source(source, rel, registry)[1]
        if problems:
            return Outcome(shown, "失败", reason="；".join(p.message for p in problems))
        if target.exists() and not options.force:
            return Outcome(shown, "跳过", str(target), "目标文件已存在，未覆盖（用 --force 覆盖）。")
        self.taken[key] = shown
        self.targets.add(target)
        if registry is not self.registry:
            self.registry = registry
            self.new_units.append(meta["unit"])
        if not options.dry_run:
            write_atomic(target, draft.text)
        return Outcome(shown, "将导入" if options.dry_run else "导入", str(target), notes=draft.notes)

    def finish(self) -> None:
        if self.new_units and not self.options.dry_run:
            register_units(self.options.units_file, self.new_units)
