"""One source's text plus the fields known from outside -> a checked report draft."""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass

import yaml

from ..source import parse_yaml
from .errors import ImportFailure
from .meta import Detected, clean_name, detect_meta
from .reading import Reading
from .structure import has_title_lines, to_markdown
from .verify import check_lossless

KEY_ORDER = ("year", "unit", "secretary", "position", "title", "date", "kind", "tags", "draft")


def split_source(text: str) -> tuple[dict, str]:
    """Separate a source file's own YAML header (if any) from its text; normalise line ends."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        if end != -1:
            try:
                meta, _ = parse_yaml(text[4 : end + 1])
            except yaml.YAMLError:
                meta = None
            if isinstance(meta, dict):
                return meta, text[end + 5 :]
    return {}, text


def render_report(meta: dict, body: str) -> str:
    """The archive file: front matter in a fixed key order, then the body."""
    items = {k: meta[k] for k in KEY_ORDER if meta.get(k) not in (None, "", [])}
    front = yaml.safe_dump(items, allow_unicode=True, sort_keys=False, width=1000)
    return f"---\n{front}---\n\n{body}"


def pattern_regex(pattern: str) -> re.Pattern[str]:
    """'{unit}/{year}.md' -> a regex over the end of a path.

    A '-suffix' just before the file extension is allowed and captured ('1964-part.md').
    """
    stem, extension = os.path.splitext(pattern)
    regex = ""
    for part in re.split(r"(\{\w+\})", stem):
        if part == "{year}":
            regex += r"(?P<year>\d{4})"
        elif part in ("{unit}", "{secretary}", "{position}"):
            regex += rf"(?P<{part[1:-1]}>[^/]+?)"
        elif part.startswith("{") and part.endswith("}"):
            raise ValueError(f"模式中未知的字段 {part}：可用 {{year}}、{{unit}}、{{secretary}}、{{position}}。")
        else:
            regex += re.escape(part)
    return re.compile(r"(?:^|/)" + regex + r"(?:-(?P<suffix>[^/.]+))?" + re.escape(extension) + "$")


def fields_from_path(path: str, pattern: re.Pattern[str] | None) -> dict[str, str]:
    if pattern is None:
        return {}
    match = pattern.search(path.replace("\\", "/"))
    if not match:
        return {}
    return {k: v for k, v in match.groupdict().items() if v}


@dataclass
class Draft:
    """A converted report before it is written: its metadata and body."""

    meta: dict
    body: str
    suffix: str = ""
    notes: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return render_report(self.meta, self.body)

    def filename(self) -> str:
        unit = self.meta["unit"]
        return f"{unit}-{self.suffix}.md" if self.suffix else f"{unit}.md"


def _ambiguities(found: Detected, given: dict) -> list[str]:
    """Where the text allows two readings and no flag settles it: the candidates and the flag."""
    problems = []
    if not given.get("secretary") and len(found.candidates) > 1:
        listed = "、".join(f"“{c.name}”（{c.where}）" for c in found.candidates)
        problems.append(f"报告人不确定，正文中有 {len(found.candidates)} 种读法：{listed}；请用 --secretary 指定")
    if not given.get("date") and len(found.dates) > 1:
        listed = "、".join(str(d) for d in found.dates)
        problems.append(f"日期不确定，正文中有 {listed}；请用 --date 指定")
    return problems


def _missing(meta: dict) -> list[str]:
    missing = []
    if not meta["year"]:
        missing.append("年份（year）：标题行中没有“XXXX年”，请用 --year、清单文件或 --pattern '{year}…' 指定")
    if not meta["unit"]:
        missing.append("单位（unit）：请用 --unit、清单文件或 --pattern '{unit}/…' 指定")
    if not meta["secretary"]:
        missing.append(
            "报告人（secretary）：开头几行和结尾署名中没有“职务 姓名”“述职人：姓名”这样的报告人行，"
            "请用 --secretary 或清单文件指定"
        )
    return missing


def _typed(meta: dict) -> None:
    try:
        meta["year"] = int(meta["year"])
    except ValueError:
        raise ImportFailure(f"年份“{meta['year']}”不是整数，应写为如 2022。") from None
    if isinstance(meta["date"], str) and meta["date"]:
        try:
            meta["date"] = dt.date.fromisoformat(meta["date"])
        except ValueError:
            raise ImportFailure(f"日期“{meta['date']}”应为 YYYY-MM-DD 格式。") from None


def convert(text: str, given: dict, *, kind: str = "", reading: Reading | None = None) -> Draft:
    """Source text plus known fields (flags, manifest, path) -> a report draft, proven lossless.

    ``given`` wins over what the text says. Raises ImportFailure naming each missing or
    ambiguous key and the options that settle it, or what the conversion lost.
    """
    reading = reading or Reading(text, text, expected_markdown=True, converted=False)
    source_meta, body = split_source(reading.text)
    found = detect_meta(body, source_meta)
    meta = {
        "year": given.get("year") or found.year,
        "unit": given.get("unit"),
        "secretary": clean_name(given.get("secretary") or found.secretary),
        "position": given.get("position") or (found.position if not given.get("secretary") else ""),
        "title": given.get("title") or found.title,
        "date": given.get("date") or found.date,
        "kind": kind if kind and kind != "述职报告" else "",
    }
    problems = _ambiguities(found, given)
    missing = [m for m in _missing(meta) if not (m.startswith("报告人") and len(found.candidates) > 1)]
    if missing:
        problems.append("缺少 " + "；".join(missing))
    if problems:
        raise ImportFailure("；".join(problems) + "。")
    _typed(meta)
    markdown = to_markdown(body, meta["title"], restyle=reading.converted)
    expected = split_source(reading.expected)[1] if reading.expected_markdown else reading.expected
    # The '# title' line is compared where the title stood in the source (if it did).
    checked = markdown.split("\n", 1)[1] if meta["title"] else markdown
    moved = meta["title"] if meta["title"] and has_title_lines(body, meta["title"]) else ""
    lost = check_lossless(expected, checked, reading.labels, reading.expected_markdown, moved)
    if lost:
        raise ImportFailure(lost)
    return Draft(meta, markdown, suffix=given.get("suffix", ""), notes=tuple(reading.notes))
