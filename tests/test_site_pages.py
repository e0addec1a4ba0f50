"""Every page of the built demo site reads cleanly: no leftover Markdown, no empty title, no dead link.

This goes over the whole site, not only the pages other tests visit, so a generator that emits
Markdown where it cannot be rendered (inside raw HTML, say) is caught wherever it happens.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from conftest import ROOT

from report_archive import load_archive
from report_archive.export.pages import report_download, year_download

# Elements whose text a reader does not see as prose, or sees as code on purpose.
_HIDDEN = {"script", "style", "code", "pre", "kbd", "samp", "textarea", "template", "noscript"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_LEFTOVER_MARKDOWN = [
    (re.compile(r"\]\("), "链接语法 ]("),
    (re.compile(r"\*\*"), "加粗语法 **"),
    (re.compile(r"^#", re.M), "行首的 #"),
    (re.compile(r"\|\s*-{3}"), "表格分隔行 |---"),
]


class _Page(HTMLParser):
    """Visible text (as lines, split at block boundaries), headings, link targets and element ids."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.chunks: list[str] = []
        self.h1: list[list[str]] = []
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        values = {k: v or "" for k, v in attrs}
        if "id" in values:
            self.ids.add(values["id"])
        if tag == "a" and "name" in values:
            self.ids.add(values["name"])
        for key in ("href", "src") if tag in ("a", "link", "script", "img", "iframe", "source") else ():
            if key in values:
                self.links.append(values[key])
        if tag == "h1":
            self.h1.append([])
        if tag not in _VOID:
            self.stack.append(tag)
        self.chunks.append("\n")

    def handle_endtag(self, tag):
        if tag in self.stack:
            while self.stack.pop() != tag:
                pass
        self.chunks.append("\n")

    def handle_data(self, data):
        if _HIDDEN.intersection(self.stack):
            return
        if "h1" in self.stack and self.h1:
            self.h1[-1].append(data)
        self.chunks.append(data)

    @property
    def lines(self) -> list[str]:
        return [line.strip() for line in "".join(self.chunks).splitlines() if line.strip()]


def _read(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page


@pytest.fixture(scope="module")
def demo_pages(demo_site) -> dict[Path, _Page]:
    pages = {path: _read(path) for path in sorted(demo_site.rglob("*.html"))}
    # every report, and the index pages, guide, search, stats and review pages besides
    reports = list((ROOT / "docs" / "reports").rglob("*.md"))
    assert len([p for p in pages if p.relative_to(demo_site).parts[0] == "reports"]) == len(reports)
    assert len(pages) > len(reports) + 50
    return pages


def _target(site: Path, page: Path, href: str) -> tuple[Path, str] | None:
    """The file and fragment an internal link points at; None for links that leave the site."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or href.startswith(("mailto:", "javascript:", "data:")):
        return None
    if not parts.path:
        return page, unquote(parts.fragment)
    base = page.parent if not parts.path.startswith("/") else site
    target = (base / unquote(parts.path).lstrip("/")).resolve()
    if target.is_dir():
        target = target / "index.html"
    return target, unquote(parts.fragment)


def test_no_markdown_syntax_is_left_in_visible_text(demo_pages, demo_site):
    found = []
    for path, page in demo_pages.items():
        text = "\n".join(page.lines)
        for pattern, what in _LEFTOVER_MARKDOWN:
            if match := pattern.search(text):
                context = text[max(0, match.start() - 30) : match.end() + 30].replace("\n", "⏎")
                found.append(f"{path.relative_to(demo_site)}: {what}: …{context}…")
    assert not found, "\n".join(found[:20])


def test_every_h1_has_text(demo_pages, demo_site):
    empty = [
        str(p.relative_to(demo_site)) for p, page in demo_pages.items() if any(not "".join(h).strip() for h in page.h1)
    ]
    assert not empty
    # Every content page has a title (the 404 page and redirect stubs aside, which Material also heads).
    untitled = [str(p.relative_to(demo_site)) for p, page in demo_pages.items() if not page.h1]
    assert not untitled


def test_every_internal_link_resolves(demo_pages, demo_site):
    site = demo_site.resolve()
    ids = {path.resolve(): page.ids for path, page in demo_pages.items()}
    # The Word files are written at publish time (tests/test_export_site.py checks they are all written).
    archive = load_archive(ROOT / "docs", ROOT / "units.yml")
    published = {site / report_download(r) for r in archive.reports} | {site / year_download(y) for y in archive.years}
    linked = set()
    broken = []
    for path, page in demo_pages.items():
        for href in set(page.links):
            target = _target(site, path.resolve(), href)
            if target is None:
                continue
            file, fragment = target
            if file in published:
                linked.add(file)
            elif not file.is_relative_to(site) or not file.is_file():
                broken.append(f"{path.relative_to(demo_site)}: {href}（文件不存在）")
            elif fragment and file.suffix == ".html" and fragment not in ids.get(file, set()):
                broken.append(f"{path.relative_to(demo_site)}: {href}（锚点不存在）")
    assert not broken, "\n".join(sorted(broken)[:20])
    assert linked == published  # every report page and every year page links to its Word file
