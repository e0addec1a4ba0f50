"""Limits that keep the work of building any report bounded.

Python-Markdown's inline parsing costs time quadratic in the number of inline constructs in one
block (measured: 4,000 '[' in one paragraph take 1.6 s, 50,000 take ten minutes; 500,000 hard
line breaks in one paragraph over two minutes; a heading padded with 100,000 spaces 2.7 s). No real
report comes near these limits (the longest paragraph in the demo archive has about 5,000
characters and a handful of links), so a report beyond them is refused before it is rendered.
"""

from __future__ import annotations

from .model import Problem

MAX_BLOCK_CHARS = 50_000  # one paragraph, list or table: text between blank lines
MAX_BLOCK_BRACKETS = 300  # '[' (links, images, footnote references) in one block
MAX_REPORT_BRACKETS = 3_000
MAX_BLOCK_MARKUP = 1_000  # other inline markup characters and hard line breaks in one block
MAX_HEADING_CHARS = 1_000
_MARKUP = "*_`<&!\\"


def _blocks(body: str) -> list[tuple[int, list[str]]]:
    """(index of the first line, lines) of each run of non-blank lines."""
    blocks: list[tuple[int, list[str]]] = []
    for number, line in enumerate(body.splitlines()):
        if not line.strip():
            continue
        if blocks and blocks[-1][0] + len(blocks[-1][1]) == number:
            blocks[-1][1].append(line)
        else:
            blocks.append((number, [line]))
    return blocks


def _within_everywhere(body: str) -> bool:
    """Whether the whole text's totals are under the limits of a single block and heading, so that no
    block or heading can be over them (true of almost every report; counting whole is fast).

    Every line ending in two spaces holds one of the text's non-overlapping "  " of its own.
    """
    markup = sum(body.count(c) for c in _MARKUP) + body.count("  ")
    return (
        max(map(len, body.split("\n\n"))) <= MAX_BLOCK_CHARS  # a block lies within one of these pieces
        and body.count("[") <= MAX_BLOCK_BRACKETS
        and markup <= MAX_BLOCK_MARKUP
        and max((len(line) for line in body.splitlines() if line.startswith("#")), default=0) <= MAX_HEADING_CHARS
    )


def check_bounds(body: str, file: str, first_line: int = 1) -> list[Problem]:
    """Problems for every block or heading over the limits (line numbers of the file)."""
    return [] if _within_everywhere(body) else _over_limits(body, file, first_line)


def _over_limits(body: str, file: str, first_line: int) -> list[Problem]:
    """``check_bounds`` block by block."""
    problems = []
    brackets = 0

    def add(number: int, message: str) -> None:
        problems.append(
            Problem(file, first_line + number, message + "这样的报告会让网站构建非常慢，因此不予接受。", "bounds")
        )

    for start, lines in _blocks(body):
        chars = sum(len(line) for line in lines)
        opening = sum(line.count("[") for line in lines)
        markup = sum(sum(line.count(c) for c in _MARKUP) + line.endswith("  ") for line in lines)
        brackets += opening
        if chars > MAX_BLOCK_CHARS:
            add(start, f"这一段有 {chars:,} 个字符，超过 {MAX_BLOCK_CHARS:,}。请在段落之间加空行。")
        if opening > MAX_BLOCK_BRACKETS:
            add(start, f"这一段有 {opening:,} 个“[”，超过 {MAX_BLOCK_BRACKETS}。")
        if markup > MAX_BLOCK_MARKUP:
            add(start, f"这一段有 {markup:,} 个格式符号（* _ ` < & ! \\ 或行尾两个空格），超过 {MAX_BLOCK_MARKUP:,}。")
        for offset, line in enumerate(lines):
            if line.startswith("#") and len(line) > MAX_HEADING_CHARS:
                add(start + offset, f"这个标题有 {len(line):,} 个字符，超过 {MAX_HEADING_CHARS:,}。")
    if brackets > MAX_REPORT_BRACKETS:
        add(0, f"正文共有 {brackets:,} 个“[”，超过 {MAX_REPORT_BRACKETS:,}。")
    return problems
