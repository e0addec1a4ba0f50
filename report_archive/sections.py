"""The customary sections of a 述职报告, recognised by their headings.

Reports follow a common outline: what was done (履职情况 / 主要工作), what fell short
(存在的问题 / 不足) and what comes next (下一步 / 工作思路 / 打算). Each kind is a list of regular
expressions matched against heading text; the patterns can be replaced in mkdocs.yml
(``extra.review.sections``) without touching code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .model import heading_text

DEFAULT_PATTERNS: dict[str, list[str]] = {
    "work": [r"履职情况", r"主要工作", r"工作情况", r"工作回顾", r"主要做法", r"工作成效", r"取得的成[效绩]"],
    "problems": [r"存在的?(主要)?问题", r"问题(和|与|及)不足", r"不足", r"差距", r"短板"],
    "next": [r"下一步", r"工作思路", r"打算", r"努力方向", r"工作(计划|安排|重点)", r"改进措施", r"整改措施"],
}
LABELS = {"work": "履职情况", "problems": "存在的问题", "next": "下一步打算"}

_HEADING_RE = re.compile(r"^(#{1,6})[ \t]+(\S.*)$", re.MULTILINE)


@dataclass(frozen=True)
class Section:
    """Where a section is in its report's body: the Markdown below the heading, up to the next heading
    of the same or a higher level, is ``body[start:stop]`` (offsets, not a copy: a build keeps every
    report's sections)."""

    kind: str
    heading: str
    level: int
    start: int
    stop: int

    def text_in(self, body: str) -> str:
        return body[self.start : self.stop]


def compile_patterns(patterns: dict[str, list[str]] | None = None) -> dict[str, re.Pattern[str]]:
    """One regular expression per kind of section; ``patterns`` replaces the defaults kind by kind."""
    merged = DEFAULT_PATTERNS | (patterns or {})
    return {kind: re.compile("|".join(f"(?:{p})" for p in items)) for kind, items in merged.items()}


def find_sections(body: str, patterns: dict[str, re.Pattern[str]]) -> dict[str, Section]:
    """The first section of each kind whose heading matches (the '#' title itself is not a section)."""
    headings = [(m.start(), m.end(), len(m.group(1)), heading_text(m.group(2))) for m in _HEADING_RE.finditer(body)]
    found: dict[str, Section] = {}
    for index, (_, end, level, text) in enumerate(headings):
        if level == 1:
            continue
        for kind, pattern in patterns.items():
            if kind in found or not pattern.search(text):
                continue
            stop = len(body)
            for later_start, _, later_level, _ in headings[index + 1 :]:
                if later_level <= level:
                    stop = later_start
                    break
            part = body[end:stop]
            start = end + len(part) - len(part.lstrip())
            found[kind] = Section(kind, text, level, start, max(start, end + len(part.rstrip())))
            break
    return found


def flatten_headings(markdown: str) -> str:
    """Sub-headings as bold lines, so a section shown inside another page adds nothing to its outline."""
    return _HEADING_RE.sub(lambda m: f"**{heading_text(m.group(2))}**", markdown)
