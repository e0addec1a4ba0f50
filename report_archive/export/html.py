"""The compilation as HTML: cover, contents and every report, for the site page and for printing.

Each report's Markdown is rendered with the site's Markdown extensions and goes through the
report HTML allowlist (:mod:`..sanitize`), exactly as a report page's text does; everything else
on the page is escaped here. Ids inside a report get a per-report prefix, so footnotes and
headings of two reports on one page do not collide.

A report page whose text MkDocs converted with the same extensions, and which links to no other
file, has the same HTML as this rendering (MkDocs' own additions to a conversion only read it or
rewrite links to other files): a site build hands its pages' allowlisted HTML to
:func:`keep_fragment`, and the compilation takes it from there instead of converting every report
a second time.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

import markdown

from .. import sanitize
from ..cache import Cache, code_version, digest
from ..converted import libraries
from ..model import Report
from .selection import Selection
from .word import contents_line

# The Markdown extensions of the site's pages: MkDocs' own (toc, tables, fenced_code) and those
# of mkdocs.yml, with their settings.
EXTENSIONS = ("toc", "tables", "fenced_code", "attr_list", "md_in_html", "footnotes", "admonition")
EXTENSION_CONFIGS = {"tables": {"use_align_attribute": True}, "toc": {"permalink": False}}
_MARKDOWN = markdown.Markdown(extensions=list(EXTENSIONS), extension_configs=EXTENSION_CONFIGS)
# An ``id`` or ``href`` attribute. Its word boundary is checked by ``_prefixed``: a pattern that
# starts with ``\b`` is tried at every character of the text, three times slower.
_ID_RE = re.compile(r'(id|href)="(#?)([^"]*)"')


def same_markdown(extensions: list[Any], configs: dict[str, Any]) -> bool:
    """Whether a site converts reports as this module does (MkDocs' ``markdown_extensions`` and
    ``mdx_configs``): only then may a report page's HTML stand for the compilation's."""
    return sorted(map(str, extensions)) == sorted(EXTENSIONS) and configs == EXTENSION_CONFIGS


def report_fragment(report: Report, cache: Cache | None = None, prefix: str = "") -> str:
    """A report's text as HTML, through the allowlist, its ids starting with ``prefix``.

    Cached by content, and kept in memory by a serve session, which writes every compilation each time.
    """

    def render() -> str:
        return sanitize.clean(_MARKDOWN.reset().convert(converted_text(report)))

    return _prefixed((cache or Cache(None)).cached(_fragment_key(report), render, keep=True), prefix)


def converted_text(report: Report) -> str:
    """The Markdown a report's text is converted from: its body without the blank lines that
    follow the front matter (as MkDocs reads a page)."""
    return report.body.lstrip("\n")


def keep_fragment(report: Report, cleaned: str, cache: Cache) -> None:
    """Keep a report page's allowlisted HTML as the report's fragment (see the module's account:
    the caller vouches that the page was converted from :func:`converted_text` with the same setup)."""
    # A copy is pickled: pickling leaves a UTF-8 copy on the string it reads (see ``Cache.put``),
    # and the page holds on to this one until it is written.
    cache.put(_fragment_key(report), cleaned.encode("utf-8").decode("utf-8"))


def _fragment_key(report: Report) -> str:
    return digest("export-html", code_version(), libraries(), report.body_digest)


def _prefixed(fragment: str, prefix: str) -> str:
    parts, done, search = [], 0, _ID_RE.search
    match = search(fragment)
    while match is not None:
        start = match.start()
        if start and (fragment[start - 1].isalnum() or fragment[start - 1] == "_"):  # no word boundary
            match = search(fragment, start + 1)
            continue
        attribute, hash_, value = match.groups()
        if attribute == "id" or hash_:
            renamed = f'id="{prefix}{value}"' if attribute == "id" else f'href="#{prefix}{value}"'
            parts += [fragment[done:start], renamed]
            done = match.end()
        match = search(fragment, match.end())
    return "".join(parts) + fragment[done:] if parts else fragment


def anchor(number: int) -> str:
    return f"report-{number}"


def _articles(reports: tuple[Report, ...], first: int, cache: Cache | None) -> str:
    return "\n".join(
        f'<article class="compilation-report" id="{anchor(n)}">\n'
        f"{report_fragment(r, cache, f'{anchor(n)}-')}\n</article>"
        for n, r in enumerate(reports, first)
    )


def _front(selection: Selection, today: dt.date | None) -> str:
    """The cover and the contents."""
    e = html.escape
    with_year = len({r.year for r in selection.reports}) > 1
    cover = [f'<h1 class="compilation-cover__title">{e(selection.title)}</h1>']
    if selection.subtitle:
        cover.append(f"<p>{e(selection.subtitle)}</p>")
    cover.append(f"<p>共 {len(selection.reports)} 份报告</p>")
    if today is not None:
        cover.append(f"<p>导出日期：{today.year}年{today.month}月{today.day}日</p>")
    entries = "\n".join(
        f'<li><a href="#{anchor(n)}">{e(contents_line(r, with_year))}</a></li>'
        for n, r in enumerate(selection.reports, 1)
    )
    return (
        '<section class="compilation-cover">\n'
        + "\n".join(cover)
        + '\n</section>\n<nav class="compilation-contents" aria-label="目录">\n<h2>目　录</h2>\n<ol>\n'
        + entries
        + "\n</ol>\n</nav>\n"
    )


def compilation_body(
    selection: Selection, today: dt.date | None, cache: Cache | None = None, cover: bool = True
) -> str:
    """Cover, contents and reports as one ``<div class="compilation">``; ``today`` None: no export date.

    Without ``cover``: the reports only (one report printed on its own).
    """
    front = _front(selection, today) if cover else ""
    return f'<div class="compilation">\n{front}{_articles(selection.reports, 1, cache)}\n</div>'


def document(title: str, body: str, css: str) -> str:
    """A self-contained HTML file (its styles inline, nothing loaded from elsewhere)."""
    return (
        '<!doctype html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n<style>\n{css}\n</style>\n</head>\n"
        f'<body class="compilation-standalone">\n{body}\n</body>\n</html>\n'
    )


def standalone(selection: Selection, today: dt.date, css: str, cache: Cache | None = None, cover: bool = True) -> str:
    """The compilation as one self-contained HTML file."""
    return document(selection.title, compilation_body(selection, today, cache, cover), css)


PART_CHARACTERS = 400_000  # Chromium prints one very long document in time that grows faster than its length


def print_parts(
    selection: Selection,
    today: dt.date,
    css: str,
    cache: Cache | None = None,
    cover: bool = True,
    budget: int = PART_CHARACTERS,
) -> list[str]:
    """The compilation as consecutive HTML files of about ``budget`` characters of text each.

    Printed one after the other and joined, they make the same pages as the whole document (the
    first part holds the cover and contents; each report stays whole and starts a new page).
    """
    parts: list[list[Report]] = [[]]
    size = 0
    for report in selection.reports:
        if parts[-1] and size + report.length > budget:
            parts.append([])
            size = 0
        parts[-1].append(report)
        size += report.length
    files, first = [], 1
    for number, part in enumerate(parts):
        front = _front(selection, today) if cover and number == 0 else ""
        body = f'<div class="compilation">\n{front}{_articles(tuple(part), first, cache)}\n</div>'
        files.append(document(selection.title, body, css))
        first += len(part)
    return files
