"""Which files an import run covers: folders walked, files skipped with a reason, the manifest."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PureWindowsPath

import yaml

from .errors import ImportFailure
from .reading import REFUSED, SUPPORTED

MANIFEST_REQUIRED = ("path", "year", "unit", "secretary")
MANIFEST_OPTIONAL = ("position", "title", "date")
SHOWN_KINDS = "、".join(SUPPORTED)


def collect_sources(paths: list[str]) -> list[Path]:
    """Files given directly, and every file below the folders given (skipped ones included)."""
    found: list[Path] = []
    for name in paths:
        path = Path(name)
        found += sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    return found


def skip_reason(path: Path, base: Path | None = None) -> str:
    """Why a file found in a folder is not imported, or '' when it is to be read."""
    parts = path.relative_to(base).parts if base and path.is_relative_to(base) else (path.name,)
    if path.name.startswith("~$"):
        return "Word 打开文件时留下的临时锁定文件，不是报告。"
    if any(part.startswith(".") for part in parts):
        return "隐藏文件，不导入。"
    suffix = path.suffix.lower()
    if suffix in REFUSED:
        return REFUSED[suffix]
    if suffix not in SUPPORTED:
        return f"不支持的文件类型“{suffix or '无扩展名'}”（支持 {SHOWN_KINDS}）。"
    return ""


def write_atomic(path: Path, text: str) -> None:
    """Write through a temporary file in the same folder and rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".import-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def register_units(units_file: Path, names: list[str]) -> None:
    """Append new units to ``units.yml``, keeping its comments and order."""
    text = units_file.read_text(encoding="utf-8") if units_file.exists() else ""
    if text and not text.endswith("\n"):
        text += "\n"
    text += "".join(f"- name: {yaml.safe_dump(n, allow_unicode=True).splitlines()[0]}\n" for n in names)
    write_atomic(units_file, text)


@dataclass
class Manifest:
    """A CSV manifest: fields per resolved file path, and a message for each row that is wrong."""

    entries: dict[Path, dict[str, str]] = field(default_factory=dict)
    rows: dict[Path, int] = field(default_factory=dict)  # the row each file came from
    problems: dict[Path, str] = field(default_factory=dict)  # file -> why its row is refused
    orphans: list[tuple[str, str]] = field(default_factory=list)  # rows without a file: (row, reason)

    def get(self, path: Path, default: dict | None = None) -> dict[str, str]:
        return self.entries.get(path.resolve(), default or {})


def _manifest_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ImportFailure(f"找不到清单文件 {path}。") from None
    except OSError as exc:
        raise ImportFailure(f"无法读取清单文件 {path}（{exc.strerror or '读取错误'}）。") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030", "replace")  # saved from Excel on a Chinese system


def _row_path(manifest: Path, value: str) -> Path:
    """A path from a manifest row, relative to the manifest's folder; Windows backslashes allowed."""
    if "\\" in value:
        windows = PureWindowsPath(value)
        value = "/".join(windows.parts[1:] if windows.anchor else windows.parts)
    source = Path(value)
    return (source if source.is_absolute() else manifest.parent / source).resolve()


def read_manifest(path: Path) -> Manifest:
    """A CSV manifest (path,year,unit,secretary[,position,title,date])."""
    reader = csv.DictReader(io.StringIO(_manifest_text(path)))
    columns = [c.strip() for c in reader.fieldnames or []]
    missing = [c for c in MANIFEST_REQUIRED if c not in columns]
    if missing:
        raise ImportFailure(f"清单文件 {path} 缺少列：{'、'.join(missing)}（需要 path,year,unit,secretary）。")
    manifest = Manifest()
    for number, row in enumerate(reader, start=2):
        row = {k.strip(): (v or "").strip() for k, v in row.items() if k}
        if not row.get("path"):
            continue
        source = _row_path(path, row["path"])
        where = f"清单第 {number} 行（{row['path']}）"
        if source in manifest.rows:
            manifest.problems[source] = (
                f"清单第 {manifest.rows[source]} 行和第 {number} 行指向同一文件：请删除其中一行。"
            )
            continue
        manifest.rows[source] = number
        manifest.entries[source] = {k: row[k] for k in MANIFEST_REQUIRED[1:] + MANIFEST_OPTIONAL if row.get(k)}
        if not source.is_file():
            manifest.orphans.append((where, "找不到此文件。"))
        elif skip_reason(source):
            manifest.problems[source] = f"{where}：{skip_reason(source)}"
    return manifest
