"""Plain-text values: what a front-matter or registry string, and a name used as a path, may contain.

Every such value is untrusted text that ends up in page templates, generated Markdown and URLs.
Templates escape it anyway; these checks refuse markup outright so that what an author wrote is
what a reader sees, and names that cannot be one path segment never reach the file system.
"""

from __future__ import annotations

import re

MAX_NAME = 40
# Markup: a tag or comment opener/closer, or a character reference that a template could unescape.
_MARKUP_RE = re.compile(r"[<>]|&(#\d+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);?")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_PATH_BREAKING_RE = re.compile(r"[/\\\"'`]")


def markup_problem(value: str) -> str | None:
    """Why ``value`` is not plain text, or None."""
    if match := _MARKUP_RE.search(value):
        return f"含有标记“{match.group(0)}”，只能写纯文字（不能有 HTML 标签或字符实体）"
    if _CONTROL_RE.search(value):
        return "含有控制字符"
    return None


def name_problem(name: str) -> str | None:
    """Why ``name`` (a unit or a person) cannot be used as a page's path segment, or None."""
    if name in (".", "..") or name.startswith("."):
        return "不能是“.”“..”或以“.”开头"
    if match := _PATH_BREAKING_RE.search(name):
        return f"不能含有“{match.group(0)}”"
    if len(name) > MAX_NAME:
        return f"超过 {MAX_NAME} 个字符"
    return markup_problem(name)
