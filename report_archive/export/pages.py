"""The compilation pages and the download links in the site.

``/years/<year>/汇编/`` shows the year's compilation (cover, contents, every report from a new
page when printed) and prints as the A4 compilation from any browser. The year page links to it
and to the year's Word file; each report page links to its own Word file. The Word files are
written at publish time (:mod:`.downloads`) under ``downloads/``; ``mkdocs serve`` does not make them.
"""

from __future__ import annotations

import html
import json
from urllib.parse import quote

from ..archive import Archive
from ..cache import Cache
from ..model import Report
from ..pages import link, page_url, relative, year_page
from .html import compilation_body
from .selection import report_folder, report_stem, select_year

DOWNLOADS = "downloads"


def compilation_page(year: int) -> str:
    return f"years/{year}/汇编.md"


def report_download(report: Report) -> str:
    """A report's Word file, relative to the site root."""
    return f"{DOWNLOADS}/reports/{report_folder(report)}/{report_stem(report)}.docx"


def year_download(year: int) -> str:
    """A year's compilation as a Word file, relative to the site root."""
    return f"{DOWNLOADS}/years/{year}.docx"


def _download_link(text: str, target: str, source: str, name: str) -> str:
    """A raw HTML link (the file exists only in a published site, so MkDocs must not check it)."""
    href = quote(relative(target, page_url(source) + "index.md"))  # from the page's directory URL
    return f'<a href="{html.escape(href)}" download="{html.escape(name)}">{html.escape(text)}</a>'


def year_links(archive: Archive, year: int) -> str:
    """The line under a year page's heading: the printable compilation and its Word file."""
    source = year_page(year)
    selection = select_year(archive, year)
    word = _download_link("下载本年度汇编", year_download(year), source, f"{selection.stem}.docx")
    printable = link("本年度汇编（可打印）", compilation_page(year), source)
    return f'<p class="compilation-links" markdown="1">{printable} · {word}（Word，发布后可用）</p>\n\n'


def compilation_markdown(archive: Archive, year: int, cache: Cache | None = None) -> str:
    selection = select_year(archive, year)
    source = compilation_page(year)
    word = _download_link("下载 Word", year_download(year), source, f"{selection.stem}.docx")
    back = link(f"{year} 年", year_page(year), source)
    hint = "用浏览器打印本页即得 A4 汇编（每份报告另起一页，带页码）。"
    return (
        f"---\ntitle: {json.dumps(selection.title, ensure_ascii=False)}\n---\n\n"
        f'<p class="compilation-links" markdown="1">{back} · {word} · {hint}</p>\n\n'
        + compilation_body(selection, None, cache)
        + "\n"
    )


def compilation_pages(archive: Archive, cache: Cache | None = None) -> dict[str, str]:
    """Every year's compilation page: source path -> Markdown."""
    return {compilation_page(year): compilation_markdown(archive, year, cache) for year in archive.years}


def with_year_links(archive: Archive, generated: dict[str, str]) -> dict[str, str]:
    """``generated`` with the year pages in it linking to their compilation and its Word file."""
    linked = dict(generated)
    for year in archive.years:
        page = year_page(year)
        if page in linked:
            heading, _, rest = linked[page].partition("\n\n")
            linked[page] = f"{heading}\n\n{year_links(archive, year)}{rest}"
    return linked
