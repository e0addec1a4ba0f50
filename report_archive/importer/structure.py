"""The archive's Chinese rules: numbered lines become headings, lead sentences split off.

The same step runs on every source, whether its text was typed, decoded from a text file or
written by pandoc from a Word document: labels (一、 （一） 1. （1）, typed or from Word's
automatic numbering) give heading levels; headings that pandoc marked from Word styles keep their
rank, below the report title.
"""

from __future__ import annotations

import re

# Numbered headings, by level. Each pattern matches the number at the start of a line.
HEADING_LEVELS = [
    (2, re.compile(r"^[一二三四五六七八九十]{1,3}、")),
    (3, re.compile(r"^[（(][一二三四五六七八九十]{1,3}[）)]")),
    (4, re.compile(r"^[0-9０-９]{1,2}[.．、](?![0-9０-９])")),
    (5, re.compile(r"^[（(][0-9０-９]{1,2}[）)]")),
]
MAX_HEADING = 40  # a numbered line longer than this (without a lead sentence) stays a paragraph
_LEAD_RE = re.compile(rf"^(.{{4,{MAX_HEADING}}}?)。(?=.)")
_HTML_COMMENT_RE = re.compile(r"<!--.*?-->", re.DOTALL)
_BOLD_LINE_RE = re.compile(r"^\*\*(.+?)\*\*\s*$")
_ATX_RE = re.compile(r"^(#{1,6})\s+(.*?)\s*#*$")
_ESCAPE_RE = re.compile(r"\\([!-/:-@\[-`{-~])")
_SPACE = " \t　\u00a0"
BLOCK_STARTS = ("|", "- ", "* ", "+ ", "[^", "<", "```", "> ")


def plain(line: str) -> str:
    """A line without Markdown emphasis, heading marks, escapes and surrounding white space."""
    line = re.sub(r"^#+\s*", "", line.strip())
    line = line.replace("**", "").replace("__", "")
    line = _ESCAPE_RE.sub(r"\1", re.sub(r"\[\^[^\]\s]+\]", "", line))
    return line.rstrip("\\").strip(_SPACE)


def heading_level(line: str) -> int | None:
    for level, pattern in HEADING_LEVELS:
        if pattern.match(line):
            return level
    return None


def _close_label(line: str) -> str:
    """'一、\t履职情况' -> '一、履职情况': white space after a label (a tab in Word) goes."""
    for _, pattern in HEADING_LEVELS:
        match = pattern.match(line)
        if match:
            return match.group(0) + line[match.end() :].lstrip(_SPACE)
    return line


def structure_line(line: str) -> list[str]:
    """One paragraph of plain text -> Markdown block(s): a numbered heading, maybe its paragraph."""
    text = plain(line) if _BOLD_LINE_RE.match(line.strip()) or "\\" in line else line
    text = _close_label(text)
    level = heading_level(text)
    if level is None:
        return [line]
    if len(text) <= MAX_HEADING and "。" not in text.rstrip("。"):
        return ["#" * level + " " + text.rstrip("。")]
    lead = _LEAD_RE.match(text)
    if lead:
        return ["#" * level + " " + lead.group(1), text[lead.end() :].strip()]
    return [line]


def _style_ranks(lines: list[str], title: str) -> dict[int, int]:
    """Heading levels of styled headings (from pandoc's '#' marks) -> archive level, title aside."""
    used = sorted({len(m.group(1)) for m in map(_ATX_RE.match, lines) if m and plain(m.group(2)) not in ("", title)})
    return {level: min(2 + rank, 6) for rank, level in enumerate(used)}


def _styled_heading(line: str, ranks: dict[int, int]) -> list[str]:
    match = _ATX_RE.match(line)
    text = _close_label(plain(match.group(2)))
    if not text:
        return []
    level = heading_level(text) or ranks.get(len(match.group(1)), 2)
    return ["#" * level + " " + text.rstrip("。")]


def logical_lines(text: str) -> list[str]:
    """Non-empty lines, stripped; a hard line break (Shift+Enter, pandoc's trailing '\\') splits."""
    text = _HTML_COMMENT_RE.sub("", text).replace("\\\n", "\n")
    return [line.strip(_SPACE) for line in text.split("\n") if line.strip(_SPACE)]


def has_title_lines(text: str, title: str) -> bool:
    """Whether ``title`` is a line of ``text``, or up to three consecutive lines joined."""
    lines = [plain(line) for line in logical_lines(text)]
    return any("".join(lines[i : i + n]) == title for n in (1, 2, 3) for i in range(len(lines)))


def to_markdown(text: str, title: str = "", drop: tuple[str, ...] = (), restyle: bool = False) -> str:
    """Give ``text`` Markdown structure.

    The title (one line, or up to three short lines that together make it) becomes the ``#``
    heading; lines in ``drop`` are left out; numbered headings become ``##``..``#####``. With
    ``restyle`` (text converted from Word and other formats), '#' headings get their level from
    their label or their rank among the document's heading styles; otherwise an author's own
    Markdown headings stay as written.
    """
    lines = logical_lines(text)
    ranks = _style_ranks(lines, title) if restyle else None
    blocks: list[str] = [f"# {title}"] if title else []
    pending: list[str] = []  # opening lines that may be the pieces of a broken title
    title_seen = not title
    for line in lines:
        bare = plain(line)
        if not title_seen:
            joined = "".join(plain(p) for p in pending) + bare
            if title.startswith(joined) and len(pending) < 3:
                pending.append(line)
                title_seen = joined == title
                pending = [] if title_seen else pending
                continue
            for held in pending:
                blocks.extend(_block(held, blocks, ranks))
            pending = []
            if bare and title.startswith(bare):
                pending.append(line)
                title_seen = bare == title
                pending = [] if title_seen else pending
                continue
        if bare in drop:
            continue
        blocks.extend(_block(line, blocks, ranks))
    for held in pending:
        blocks.extend(_block(held, blocks, ranks))
    return "\n\n".join(blocks) + "\n"


def _block(line: str, blocks: list[str], ranks: dict[int, int] | None) -> list[str]:
    if line.startswith("|") and blocks and blocks[-1].startswith("|"):
        blocks[-1] += "\n" + line  # rows of one table stay one block
        return []
    if line.startswith("[^") and blocks and blocks[-1].startswith("[^") and not re.match(r"\[\^[^\]]+\]:", line):
        blocks[-1] += "\n" + line
        return []
    if line.startswith("#"):
        return _styled_heading(line, ranks) if ranks is not None and _ATX_RE.match(line) else [line]
    if line.startswith(BLOCK_STARTS):
        return [line]
    return structure_line(line)
