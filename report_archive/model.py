"""The report model and the problem record shared by every part of the archive."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from .cache import digest

DEFAULT_KIND = "述职报告"

# Every pattern applied to report text runs in linear time: no lazy group before optional runs,
# no unbounded scan that can restart at every position.
_HEADING_RE = re.compile(r"^#[ \t]+(\S.*)$", re.MULTILINE)
_MARKUP_RE = re.compile(r"<[^<>]+>|[#*_`>|\-\[\]()!]|\s")


def heading_text(text: str) -> str:
    """A Markdown heading's text without the optional closing '#' run (in linear time)."""
    stripped = text.rstrip()
    closed = stripped.rstrip("#")
    return closed.rstrip() if closed != stripped and (not closed or closed[-1] in " \t") else stripped


@dataclass(frozen=True, order=True)
class Problem:
    """One validation finding: which file, which line (1-based, if known), what is wrong."""

    file: str
    line: int | None
    message: str
    code: str = field(default="", compare=False)  # machine-readable kind, e.g. "encoding"

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class Report:
    """One report: a Markdown file under ``reports/<year>/``.

    ``path`` is relative to the docs directory, with forward slashes.
    ``meta`` is the whole front matter; ``body`` the Markdown after it.
    """

    year: int
    unit: str
    secretary: str
    path: str
    meta: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    body: str = field(default="", compare=False, repr=False)
    body_line: int = field(default=1, compare=False, repr=False)  # line of the file where the body starts

    @property
    def kind(self) -> str:
        return str(self.meta.get("kind") or DEFAULT_KIND)

    @property
    def position(self) -> str:
        return str(self.meta.get("position") or "")

    @property
    def draft(self) -> bool:
        return self.meta.get("draft") is True

    @cached_property
    def title(self) -> str:
        if self.meta.get("title"):
            return str(self.meta["title"])
        match = _HEADING_RE.search(self.body)
        if match:
            return heading_text(match.group(1))
        return f"{self.year}年{self.unit}{self.kind}"

    @cached_property
    def body_digest(self) -> str:
        """A digest of the body: the key of the work that depends on the text alone (hashed once)."""
        return hashlib.sha256(self.body.encode("utf-8")).hexdigest()

    @cached_property
    def content_digest(self) -> str:
        """A digest of all the report is: path, front matter and text (hashed once per report)."""
        return digest(self.path, repr(sorted(self.meta.items())), self.body_digest)

    @cached_property
    def length(self) -> int:
        """Number of characters of text, without white space and Markdown markup."""
        return len(_MARKUP_RE.sub("", self.body))
