"""What a change (a pull request) does to the archive: reports added, changed, removed, and problems.

It compares the archive at a git revision with the working tree, through plain ``git`` commands.
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .archive import load_archive, load_report, problem_order
from .model import Problem, Report
from .pages import esc, year_ranges
from .units import load_registry
from .validate import check_html

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


# Files that can run script in a reader's browser when published (or served) from docs/ or
# overrides/: what they are, in the words of the summary.
ACTIVE = {
    **dict.fromkeys((".html", ".htm", ".xhtml", ".xht", ".shtml"), "HTML 页面"),
    **dict.fromkeys((".js", ".mjs", ".cjs"), "JavaScript 脚本"),
    **dict.fromkeys((".svg", ".svgz"), "SVG 图形（可以包含脚本）"),
    **dict.fromkeys((".xml", ".xsl", ".xslt"), "XML/XSLT（可以包含脚本）"),
    ".wasm": "WebAssembly 程序",
    ".swf": "Flash 程序",
}
WATCHED = ("docs/", "overrides/")
CONFIG = {"mkdocs.yml": "网站配置（决定页面加载哪些脚本和样式）"}


@dataclass
class ReviewFlag:
    """A touched file that a maintainer must look at before merging, whoever the author is."""

    path: str  # repository-relative
    status: str  # 新增 / 修改
    reason: str
    target: str = ""  # where a symbolic link points


def _touched(repo: Path, base: str) -> list[tuple[str, str, str]]:
    """(status code, new git mode, path) of every path added or changed since ``base``."""
    fields = _git(repo, "diff", "--raw", "-z", "--no-renames", base).split("\0")
    touched = [
        (meta.split()[-1], meta.split()[1], path)
        for meta, path in zip(fields[0::2], fields[1::2], strict=False)
        if meta.startswith(":") and not meta.split()[-1].startswith("D")
    ]
    untracked = _git(repo, "ls-files", "-z", "--others", "--exclude-standard").split("\0")
    return touched + [("A", "", path) for path in untracked if path]


def review_flags(repo: Path, base: str) -> list[ReviewFlag]:
    """Files added or changed since ``base`` that could run script or reach outside the repository.

    Flagged: a symbolic link anywhere; under docs/ or overrides/, any file of an ACTIVE type
    (by extension, in any letter case) or with the executable bit; the site configuration.
    """
    flags = []
    for code, mode, path in sorted(_touched(repo, base), key=lambda entry: entry[2]):
        on_disk = repo / path
        try:
            info = os.lstat(on_disk)
        except OSError:
            continue
        status = "新增" if code.startswith("A") else "修改"
        watched = path.startswith(WATCHED)
        suffix = PurePosixPath(path).suffix.lower()
        target = os.readlink(on_disk) if stat.S_ISLNK(info.st_mode) else ""
        if target or mode == "120000":
            reason = "符号链接"
        elif watched and suffix in ACTIVE:
            reason = ACTIVE[suffix]
        elif watched and (info.st_mode & 0o111 or mode == "100755"):
            reason = "可执行文件"
        elif path in CONFIG:
            reason = CONFIG[path]
        else:
            continue
        flags.append(ReviewFlag(path, status, reason, target))
    return flags


def _code(text: str) -> str:
    """``text`` as a Markdown code span, whatever backticks or line breaks it holds."""
    text = " ".join(text.splitlines())
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    return f"{fence} {text} {fence}" if "`" in text else f"{fence}{text}{fence}"


def _git_bytes(repo: Path, spec: str) -> bytes:
    result = subprocess.run(["git", "show", spec], cwd=repo, capture_output=True)
    return result.stdout if result.returncode == 0 else b""


def _row(change: Change, extra: str) -> str:
    report = change.report
    if report is None:
        return f"| `{change.path}` | – | – | – | {extra} |"
    return f"| `{change.path}` | {report.year} | {esc(report.unit)} | {esc(report.secretary)} | {extra} |"


def review_markdown(flags: list[ReviewFlag]) -> list[str]:
    """The summary's section for the files only a maintainer may accept; nothing when none."""
    if not flags:
        return []
    lines = [
        "",
        f"### ⚠️ 需要维护者审核（{len(flags)} 个文件）",
        "",
        "以下文件可能在读者的浏览器中运行脚本，或指向仓库之外的内容。合并前须由维护者逐一审核，"
        "确认来源和用途；报告作者不应提交这类文件。",
        "",
    ]
    lines += [
        f"- {_code(flag.path)}（{flag.status}）：{flag.reason}"
        + (f"，指向 {_code(flag.target)}" if flag.target else "")
        for flag in flags
    ]
    return lines


def summary_markdown(
    changes: list[Change], problems: list[Problem], base: str, flags: list[ReviewFlag] | None = None
) -> str:
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
    lines += review_markdown(flags or [])
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
        lines += [f"- {_code(p.file + (f':{p.line}' if p.line else ''))}：{esc(p.message)}" for p in relevant]
    else:
        lines.append("✅ 改动的报告全部通过检查。")
    if others:
        lines += ["", f"（其他未改动的文件另有 {others} 个问题。）"]
    return "\n".join(lines) + "\n"


def pr_summary(repo: Path, base: str, render: Callable[[str], str] | None = None) -> tuple[str, bool]:
    """The summary and whether the touched files validate (files flagged for review do not count).

    ``render`` turns a report body into HTML as the site does; with it, HTML outside the allowlist
    in the touched reports is a problem too.
    """
    changes = archive_changes(repo, base)
    archive = load_archive(repo / "docs", repo / "units.yml")
    problems = archive.problems
    if render is not None:
        touched = {c.path for c in changes}
        problems = problems + check_html([r for r in archive.reports if r.path in touched], render)
    text = summary_markdown(changes, sorted(problems, key=problem_order), base, review_flags(repo, base))
    return text, "❌" not in text
