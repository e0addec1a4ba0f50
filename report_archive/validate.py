"""Validation of report files: every rule returns problems, none stops at the first."""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import html
import posixpath
import re
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Any

from . import sanitize
from .bounds import check_bounds
from .model import Problem, Report
from .plain import markup_problem, name_problem
from .source import Source
from .units import Registry

REQUIRED_KEYS = ("year", "unit", "secretary")
OPTIONAL_KEYS = ("title", "date", "position", "kind", "tags", "draft")
KNOWN_KEYS = REQUIRED_KEYS + OPTIONAL_KEYS
FIRST_YEAR = 1949

_CN_DIGITS = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"零": "0"}
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def max_year(today: dt.date | None = None) -> int:
    return (today or dt.date.today()).year + 1


def _year_hint(value: Any) -> str:
    text = str(value).strip().rstrip("年").strip()
    digits = "".join(_CN_DIGITS.get(c, c) for c in text)
    return f"，应写为 {digits}" if digits.isdigit() and len(digits) == 4 else ""


def check_year(value: Any) -> tuple[int | None, str | None]:
    """The year as an integer, or a message saying why it is not one."""
    if isinstance(value, bool):
        return None, f"year 应为整数年份（如 2022），而不是“{value}”。"
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int):
        return None, f"year 应为整数年份（如 2022），而不是“{value}”{_year_hint(value)}。"
    if not FIRST_YEAR <= value <= max_year():
        return None, f"year 为 {value}，不在 {FIRST_YEAR}–{max_year()} 之内。"
    return value, None


def check_date(value: Any, year: int | None) -> str | None:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str) and _DATE_RE.match(value.strip()):
        with contextlib.suppress(ValueError):
            value = dt.date.fromisoformat(value.strip())
    if not isinstance(value, dt.date):
        return f"date 应为 YYYY-MM-DD 格式的日期（如 2023-01-12），而不是“{value}”。"
    if year is not None and abs(value.year - year) > 1:
        return f"date {value.isoformat()} 与 year {year} 相差超过一年。"
    return None


def _line(source: Source, key: str) -> int:
    return source.key_lines.get(key, max(source.body_line - 1, 1))


def check_source(source: Source, file: str, registry: Registry) -> tuple[Report | None, list[Problem]]:
    """Check one report's front matter, path and body; build the Report if the basics hold."""
    problems: list[Problem] = []
    meta = source.meta

    def add(key: str | None, message: str, line: int | None = None) -> None:
        problems.append(Problem(file, line if line is not None else (_line(source, key) if key else None), message))

    # Only known keys reach the page templates (the theme reads others, such as template or hide).
    unknown = [key for key in meta if key not in KNOWN_KEYS]
    for key in unknown:
        guess = difflib.get_close_matches(str(key), KNOWN_KEYS, n=1, cutoff=0.6)
        hint = f"，是否应为“{guess[0]}”？" if guess else f"。可用的键：{'、'.join(KNOWN_KEYS)}。"
        add(str(key), f"未知的键“{key}”{hint}")

    for key in REQUIRED_KEYS:
        value = meta.get(key)
        if key not in meta:
            add(None, f"缺少必填项 {key}。", line=1)
        elif value is None or (isinstance(value, str) and not value.strip()):
            add(key, f"必填项 {key} 为空。")

    year = None
    if meta.get("year") is not None:
        year, message = check_year(meta["year"])
        if message:
            add("year", message)
    for key in ("unit", "secretary", "title", "position", "kind"):
        value = meta.get(key)
        if value is not None and not isinstance(value, str | int):
            add(key, f"{key} 应为文字，而不是列表或映射。")
    if meta.get("date") is not None:
        message = check_date(meta["date"], year)
        if message:
            add("date", message)
    tags = meta.get("tags")
    if tags is not None and not (isinstance(tags, list) and all(isinstance(t, str | int) for t in tags)):
        add("tags", "tags 应为列表，如 [党建, 整改]。")
    if "draft" in meta and not isinstance(meta["draft"], bool):
        add("draft", "draft 应为 true 或 false。")

    unit = str(meta.get("unit") or "").strip()
    secretary = str(meta.get("secretary") or "").strip()
    if unit and isinstance(meta.get("unit"), str) and unit not in registry:
        add("unit", registry.unknown_unit_message(unit))
    former = registry.former(unit) if unit else None
    if former is not None and former.until is not None and year is not None and year > former.until:
        add(
            "unit",
            f"“{unit}”是“{registry.canonical(unit)}”{former.until} 年及以前的名称，"
            f"{year} 年的报告应写现名“{registry.canonical(unit)}”。",
        )

    unsafe = _check_plain(meta, source, file)
    for key, name in (("unit", unit), ("secretary", secretary)):
        if name and (message := name_problem(name)):
            unsafe.append(Problem(file, _line(source, key), f"{key}“{name[:MAX_SHOWN]}”{message}。", "name"))
    path_problems = _check_path(source, file, year, unit)
    unsafe += check_bounds(source.body, file, source.body_line)
    problems += unsafe + path_problems

    fatal = unsafe or unknown or any(p.code == "path" for p in path_problems)
    if year is None or not unit or not secretary or fatal:
        return None, problems
    report = Report(year, unit, secretary, path=file, meta=meta, body=source.body, body_line=source.body_line)
    return report, problems


MAX_SHOWN = 60


def _check_plain(meta: dict[str, Any], source: Source, file: str) -> list[Problem]:
    """Every text in the front matter must be plain text: no tags, no character references."""
    problems = []
    for key, value in meta.items():
        texts = value if isinstance(value, list) else [value]
        for text in texts:
            message = markup_problem(text) if isinstance(text, str) else None
            if message:
                shown = f"“{text[:MAX_SHOWN]}”" if len(text) <= MAX_SHOWN else ""
                problems.append(Problem(file, _line(source, str(key)), f"{key}{shown}{message}。", "markup"))
    return problems


def _check_path(source: Source, file: str, year: int | None, unit: str) -> list[Problem]:
    path = PurePosixPath(file)
    parts = path.parts
    if len(parts) != 3 or parts[0] != "reports" or not parts[1].isdigit():
        return [Problem(file, None, "报告应放在 reports/<年份>/<单位>.md。", "path")]
    if message := name_problem(path.stem):
        return [Problem(file, None, f"文件名“{path.name}”{message}。", "path")]
    problems = []
    if year is not None and parts[-2] != str(year):
        problems.append(Problem(file, _line(source, "year"), f"文件在 {parts[-2]} 年目录下，但 year 为 {year}。"))
    stem = path.stem
    if unit and stem != unit and not stem.startswith(unit + "-"):
        problems.append(
            Problem(
                file,
                _line(source, "unit"),
                f"文件名“{path.name}”与单位“{unit}”不符，应为“{unit}.md”或“{unit}-<后缀>.md”。",
            )
        )
    return problems


def check_html(reports: list[Report], render: Callable[[str], str]) -> list[Problem]:
    """``check_rendered`` for every report, with ``render`` turning a body into HTML as the site does."""
    return [problem for report in reports for problem in check_rendered(report, render(report.body))]


def check_rendered(report: Report, html: str, cleaned: str | None = None) -> list[Problem]:
    """What the HTML allowlist would remove from the report's rendered ``html``, each where it is written.

    Nothing is dropped silently: whatever sanitising would change is an error for the author.
    """
    return locate_removals(report, sanitize.removals(html, cleaned))


def locate_removals(report: Report, removed: list[tuple[str, list[str]]]) -> list[Problem]:
    """One problem for each of ``sanitize.removals``' findings, at the line of the body it comes from."""
    problems = []
    lines = report.body.splitlines()
    for what, needles in removed:
        number = _find_line(lines, needles)
        line = report.body_line + number if number is not None else None
        problems.append(
            Problem(
                report.path,
                line,
                f"正文中的 {what[:120]} 不在允许的 HTML 范围内，发布时会被删除。"
                "请删除或改写（见编辑指南“报告中的 HTML”）。",
                "html",
            )
        )
    return problems


def _find_line(lines: list[str], needles: list[str]) -> int | None:
    """Index of the first line containing one of ``needles`` (most specific first), case-insensitive,
    as written or with character references decoded."""
    readings = [(line.lower(), html.unescape(line).lower()) for line in lines]
    for needle in needles:
        needle = needle.lower()
        for index, (raw, decoded) in enumerate(readings):
            if needle in raw or needle in decoded:
                return index
    return None


def check_duplicates(reports: list[Report]) -> list[Problem]:
    """Two files for the same year, unit, secretary and kind."""
    first: dict[tuple[int, str, str, str], Report] = {}
    problems = []
    # The plain '<unit>.md' counts as the first of its year, before any '<unit>-<suffix>.md'.
    for report in sorted(reports, key=lambda r: (posixpath.splitext(posixpath.basename(r.path))[0] != r.unit, r.path)):
        key = (report.year, report.unit, report.secretary, report.kind)
        if key in first:
            problems.append(
                Problem(
                    report.path,
                    None,
                    f"与 {first[key].path} 重复：同一年份、单位、书记、类型"
                    f"（{report.year}，{report.unit}，{report.secretary}，{report.kind}）只能有一份报告。",
                )
            )
        else:
            first[key] = report
    return problems
