"""Pages' HTML as their Markdown converts, kept between builds: unchanged Markdown is not converted again.

MkDocs converts every page's Markdown in every full build; for the reports that is most of a build
that changed nothing. A conversion is kept (in the build cache, under a key of the Markdown, the
page, the configuration, the Markdown libraries and the code) only when its result depends on the
Markdown alone:

- the HTML links to no other file: every ``href`` and ``src`` is an anchor in the page (``#…``) or
  a full address with a scheme (MkDocs rewrites and checks relative links against the other files);
- the page's title comes from its front matter (otherwise MkDocs takes it from the first heading,
  which only a conversion tells);
- the conversion logged no warning (a build that uses the kept HTML would not log it again).

What MkDocs learns from a conversion besides the HTML (the table of contents, the anchors in the
page, links to anchors in the page itself) is kept with it, so its checks of anchors run as after
a conversion. Everything the archive does with the HTML afterwards (the allowlist, search text)
runs on the kept HTML as on a fresh one.
"""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass
from importlib import metadata
from typing import Any

from .cache import Cache, code_version, digest

_LINK = re.compile(r"""\b(?:href|src)\s*=\s*(["']?)([^"'\s>]*)\1""", re.IGNORECASE)
_SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:")


@dataclass(frozen=True)
class Converted:
    """One page's conversion: what MkDocs takes from it."""

    html: str
    toc: list[dict[str, Any]]  # Python-Markdown's table of contents tokens: level, id, name, children
    anchors: frozenset[str]  # ids in the page
    own_links: dict[str, str]  # links to anchors in the page itself: anchor -> the link as written


def self_contained(html: str) -> bool:
    """Whether the HTML links to no other file (only to anchors in the page and full addresses)."""
    return all(value.startswith("#") or _SCHEME.match(value) for _, value in _LINK.findall(html))


class _Warnings(logging.Handler):
    """Counts the warnings and errors MkDocs and the hooks log."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


@functools.cache
def _warnings() -> _Warnings:
    handler = _Warnings()
    logging.getLogger("mkdocs").addHandler(handler)
    return handler


def warnings_logged() -> int:
    """How many warnings and errors MkDocs and the hooks have logged in this process."""
    return _warnings().count


def count_warnings_only() -> None:
    """From now on this process shows no log records, only counts warnings (a helper process whose
    conversions the main process repeats, with its messages, where they warned)."""
    logging.getLogger("mkdocs").handlers = [_warnings()]
    logging.getLogger().handlers = []


@functools.cache
def libraries() -> str:
    """The versions of what converts Markdown (MkDocs adds its own treeprocessors)."""
    names = ("mkdocs", "markdown", "pymdown-extensions")
    return " ".join(f"{name}={_version(name)}" for name in names)


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "-"


class Conversions:
    """The kept conversions of one build: asked before each page converts, told after."""

    def __init__(self, cache: Cache, setup: str):
        self.cache = cache
        self.setup = setup  # a digest of the configuration and templates (``Build.theme``)
        self._waiting: dict[str, tuple[str, int]] = {}  # page -> its key and the warnings before it converted
        self._found: dict[str, Converted] = {}
        self.used = 0  # pages whose kept conversion this build used
        self.converted = 0  # pages converted afresh

    def before(self, src: str, markdown: str, titled: bool) -> bool:
        """Whether the page's conversion is kept (convert nothing then; :meth:`found` gives it)."""
        if self.cache.folder is None or not titled:
            return False
        key = self.key(src, markdown)
        found = self.cache.get(key)
        if isinstance(found, Converted):
            self._found[src] = found
            self.used += 1
            return True
        self._waiting[src] = (key, _warnings().count)
        return False

    def key(self, src: str, markdown: str) -> str:
        return digest("converted", code_version(), libraries(), self.setup, src, markdown)

    def found(self, src: str) -> Converted | None:
        """The kept conversion of a page that :meth:`before` said was kept (once)."""
        return self._found.pop(src, None)

    def after(self, src: str, converted: Converted) -> bool:
        """A page converted afresh: keep its conversion if it qualifies (see the module's account).
        Returns whether it was kept."""
        self.converted += 1
        waiting = self._waiting.pop(src, None)
        if waiting is None:
            return False
        key, warnings = waiting
        return _warnings().count == warnings and self.keep(key, converted)

    def keep(self, key: str, converted: Converted) -> bool:
        """Keep a conversion made without warnings under ``key``, if it links to no other file."""
        if self.cache.folder is None or not self_contained(converted.html):
            return False
        self.cache.put(key, converted)
        return True
