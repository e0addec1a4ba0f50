"""What a change (a pull request) does to the archive: reports added, changed, removed, and problems.

It compares the archive at a git revision with the working tree, through plain ``git`` commands.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from .archive import load_archive, load_report
from .model import Problem, Report
from .pages import esc, year_ranges
from .units import load_registry

REPORTS = "docs/reports"


@dataclass
class Change:
    status: str  # 新增 / 修改 / 删除
    path: str  # docs-relative, as validation names files
    old: Report | None = None
    new: Report | None = None
    added: int = 0  # lines
    removed: int = 0

    @property
    def report(self) -> Report | None:
        return self.new or self.old


def _git(repo: Path, *args: str) -> str:
    result = subprocess.run(["git", "-c", "core.quotepath=off", *args], cwd=repo, capture_output=True, text=True)
    if result.returncode != 0:
        raise ValueError(f"git {' '.join(args)} 失败：{result.stderr.strip()}")
    return result.stdout


def _docs_relative(path: str) -> str:
    return path.removeprefix("docs/")


def archive_changes(repo: Path, base: str) -> list[Change]:
    """Reports that differ between revision ``base`` and the working tree (untracked files included)."""
    registry, _ = load_registry(repo / "units.yml")
    numstat = {}
    for line in _git(repo, "diff", "--numstat", "--no-renames", base, "--", REPORTS).splitlines():
        added, removed, path = line.split("\t", 2)
        numstat[path] = (int(added) if added != "-" else 0, int(removed) if removed != "-" else 0)
    entries = [
        tuple(line.split("\t", 1))
        for line in _git(repo, "diff", "--name-status", "--no-renames", base, "--", REPORTS).splitlines()
    ]
    entries += [("A", path) for path in _git(repo, "ls-files", "--others", "--exclude-standard", "--", REPORTS).split()]
    changes = []
    for code, path in sorted(entries, key=lambda e: e[1]):
        if not path.endswith(".md"):
            continue
        rel = _docs_relative(path)
        old = new = None
        if code != "A":
            old = load_report(_git_bytes(repo, f"{base}:{path}"), rel, registry)[0]
        if code != "D":
            new = load_report((repo / path).read_bytes(), rel, registry)[0]
        if code == "A" and path not in numstat:
            numstat[path] = (len((repo / path).read_text(encoding="utf-8", errors="replace").splitlines()), 0)
        status = {"A": "新增", "D": "删除"}.get(code[0], "修改")
        added, removed = numstat.get(path, (0, 0))
        changes.append(Change(status, rel, old, new, added, removed))
    return changes


def _git_bytes(repo: Path, spec: str) -> bytes:
    result = subprocess.run(["git", "show", spec], cwd=repo, capture_output=True)
    return result.stdout if result.returncode == 0 else b""


def _row(change: Change, extra: str) -> str:
    report = change.report
    if report is None:
        return f"| `{change.path}` | – | – | – | {extra} |"
    return f"| `{change.path}` | {report.year} | {esc(report.unit)} | {esc(report.secretary)} | {extra} |"


def summary_markdown(changes: list[Change], problems: list[Problem], base: str) -> str:
    """The archive summary of a change, as Markdown for a pull request's job summary."""
    lines = [f"## 档案变更摘要（与 `{base[:12]}` 比较）", ""]
    counts = {s: [c for c in changes if c.status == s] for s in ("新增", "修改", "删除")}
    if not changes:
        lines.append("本次改动没有涉及报告。")
    else:
        years = {r.year for c in changes for r in (c.old, c.new) if r}
        units = sorted({r.unit for c in changes for r in (c.old, c.new) if r})
        lines.append(
            "，".join(f"{s} **{len(items)}** 份" for s, items in counts.items())
            + f"。涉及年份：{year_ranges(years) or '–'}；涉及单位：{'、'.join(esc(u) for u in units) or '–'}。"
        )
    header = {"新增": "字数", "修改": "改动（行）", "删除": "字数"}
    for status, items in counts.items():
        if not items:
            continue
        lines += [
            "",
            f"### {status}",
            "",
            f"| 文件 | 年份 | 单位 | 报告人 | {header[status]} |",
            "|---|---|---|---|---|",
        ]
        for change in items:
            if status == "修改":
                extra = f"+{change.added} / −{change.removed}"
            else:
                extra = f"{change.report.length:,}" if change.report else "–"
            lines.append(_row(change, extra))
    touched = {c.path for c in changes if c.status != "删除"}
    relevant = [p for p in problems if p.file in touched or not p.file.startswith("reports/")]
    others = len(problems) - len(relevant)
    lines += ["", "### 检查", ""]
    if relevant:
        lines.append(f"❌ 发现 {len(relevant)} 个问题：")
        lines.append("")
        lines += [f"- `{p.file}{f':{p.line}' if p.line else ''}`：{p.message}" for p in relevant]
    else:
        lines.append("✅ 改动的报告全部通过检查。")
    if others:
        lines += ["", f"（其他未改动的文件另有 {others} 个问题。）"]
    return "\n".join(lines) + "\n"


def pr_summary(repo: Path, base: str) -> tuple[str, bool]:
    """The summary and whether the touched files validate."""
    changes = archive_changes(repo, base)
    archive = load_archive(repo / "docs", repo / "units.yml")
    text = summary_markdown(changes, archive.problems, base)
    return text, "❌" not in text
