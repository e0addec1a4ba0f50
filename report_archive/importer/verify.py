"""Prove that an import lost nothing: compare the report body with the source's visible text.

Both sides are reduced to their characters without white space and without the Markdown the
importer writes (heading marks, emphasis, table pipes, escapes, link targets, footnote marks).
What is left must be equal, except for the numbering labels the importer wrote from Word's
automatic numbering and the full stop it drops after a heading.
"""

from __future__ import annotations

import difflib
import re

_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK_TARGET = re.compile(r"\]\((?:[^()\s]|\([^()]*\))*(?:\s+\"[^\"]*\")?\)")
_FOOTNOTE = re.compile(r"\[\^[^\]\s]+\]:?")
_TAG = re.compile(r"(?<!\\)</?[a-zA-Z][^<>]*>")
_ESCAPE = re.compile(r"\\(.)")
_LINE_START = re.compile(r"^(?:#+ |\|\s*)?")
_MARKUP = re.compile(r"[\s#*_|\[\]\\`<>~\-]")
EXACT_DIFF = 5000  # longer differing stretches are compared with difflib's faster heuristic
SHOWN = 24  # characters of each difference quoted in the message


def visible(text: str, markdown: bool) -> str:
    """The characters of ``text`` that the comparison counts."""
    if markdown:
        text = _COMMENT.sub("", text)
        text = _FOOTNOTE.sub("", _LINK_TARGET.sub("]", _IMAGE.sub("", text)))
        text = _ESCAPE.sub(r"\1", _TAG.sub("", text))
    return _MARKUP.sub("", text)


def _common(a: str, b: str) -> int:
    """Length of the common prefix of ``a`` and ``b``."""
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def without_labels(body: str, labels: list[str]) -> str:
    """``body`` without the numbering labels the importer wrote, matched in document order."""
    queue = list(labels)
    lines = []
    for line in _ESCAPE.sub(r"\1", body).split("\n"):
        prefix = _LINE_START.match(line).group(0)
        if queue and line[len(prefix) :].startswith(queue[0]):
            line = prefix + line[len(prefix) + len(queue.pop(0)) :]
        lines.append(line)
    return "\n".join(lines)


def differences(
    expected: str, body: str, labels: list[str] = (), expected_markdown: bool = False, moved: str = ""
) -> tuple[list[str], list[str]]:
    """(missing, extra): pieces of the source not in the body, and pieces of the body not in it.

    ``moved`` is text the body has elsewhere (the title, written at the top): it is left out.
    """
    want = visible(expected, markdown=expected_markdown).replace(visible(moved, False), "", 1)
    got = visible(without_labels(body, labels) if labels else body, markdown=True)
    if want == got or (want.replace("。", "") == got.replace("。", "") and got.count("。") <= want.count("。")):
        return [], []  # equal, or only full stops after headings dropped
    start = _common(want, got)
    end = _common(want[start:][::-1], got[start:][::-1])
    want, got = want[start : len(want) - end], got[start : len(got) - end]
    missing: list[str] = []
    extra: list[str] = []
    matcher = difflib.SequenceMatcher(None, want, got, autojunk=max(len(want), len(got)) > EXACT_DIFF)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op in ("delete", "replace") and want[a1:a2].strip("。"):
            missing.append(want[a1:a2])
        if op in ("insert", "replace"):
            extra.append(got[b1:b2])
    return missing, extra


def _quote(pieces: list[str]) -> str:
    quoted = [f"“{p[:SHOWN]}{'…' if len(p) > SHOWN else ''}”" for p in pieces[:3]]
    more = f"等 {len(pieces)} 处" if len(pieces) > 3 else ""
    return "、".join(quoted) + more + f"（共 {sum(map(len, pieces))} 字）"


def check_lossless(
    expected: str, body: str, labels: list[str] = (), expected_markdown: bool = False, moved: str = ""
) -> str:
    """An empty string when nothing was lost or added; otherwise the message for the user."""
    missing, extra = differences(expected, body, labels, expected_markdown, moved)
    problems = []
    if missing:
        problems.append("原文中有而报告中缺少：" + _quote(missing))
    if extra:
        problems.append("报告中多出原文没有的文字：" + _quote(extra))
    if not problems:
        return ""
    return (
        "转换后的文字与原文不一致，未导入（" + "；".join(problems) + "）。请把原文件另存为 .docx 后重试，或报告此问题。"
    )
