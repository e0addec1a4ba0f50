"""The compilation pages and the download links in the site.

``/years/<year>/汇编/`` shows the year's compilation (cover, contents, every report from a new
page when printed) and prints as the A4 compilation from any browser. The year page links to it
and to the year's Word file; each report page links to its own Word file. The Word files are
written at publish time (:mod:`.downloads`) under ``downloads/``; ``mkdocs serve`` does not make them.
"""

from __future__ import annotations

import html

from ..archive import Archive
from ..cache import Cache, Deferred, code_version, digest
from ..model import Report
from ..pages import html_link, relative_url, year_page
from .html import compilation_body
from .selection import report_folder, report_stem, select_year

DOWNLOADS = "downloads"


def compilation_page(year: int) -> str:
    """The compilation's file in the site: a page of its own, not through Markdown and the theme.

    It holds every report of the year again; as ready HTML it costs the build a file write instead
    of a Markdown conversion of the whole year.
    """
    return f"years/{year}/汇编/index.html"


def report_download(report: Report) -> str:
    """A report's Word file, relative to the site root."""
    return f"{DOWNLOADS}/reports/{report_folder(report)}/{report_stem(report)}.docx"


def year_download(year: int) -> str:
    """A year's compilation as a Word file, relative to the site root."""
    return f"{DOWNLOADS}/years/{year}.docx"


def _download_link(text: str, target: str, source: str, name: str) -> str:
    """A raw HTML link (the file exists only in a published site, so MkDocs must not check it)."""
    href = relative_url(source, target)
    return f'<a href="{html.escape(href)}" download="{html.escape(name)}">{html.escape(text)}</a>'


def year_links(archive: Archive, year: int) -> str:
    """The line under a year page's heading: the printable compilation and its Word file."""
    source = year_page(year)
    selection = select_year(archive, year)
    word = _download_link("下载本年度汇编", year_download(year), source, f"{selection.stem}.docx")
    printable = html_link("本年度汇编（可打印）", compilation_page(year), source)
    return f'<p class="compilation-links" markdown="1">{printable} · {word}（Word，发布后可用）</p>\n\n'


def compilation_html(archive: Archive, year: int, cache: Cache | None = None) -> str:
    """The year's compilation page: cover, contents, every report; the links above it are not printed."""
    selection = select_year(archive, year)
    source = compilation_page(year)
    word = _download_link("下载 Word", year_download(year), source, f"{selection.stem}.docx")
    back = html_link(f"返回 {year} 年", year_page(year), source)
    hint = "用浏览器打印本页即得 A4 汇编（每份报告另起一页，带页码）。"
    styles = html.escape(relative_url(source, "assets/compilation.css"))
    icon = html.escape(relative_url(source, "assets/images/favicon.png"))  # the theme's, as on every other page
    return (
        '<!doctype html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(selection.title)}</title>\n"
        f'<link rel="icon" href="{icon}">\n<link rel="stylesheet" href="{styles}">\n</head>\n'
        '<body class="compilation-page">\n'
        f'<p class="compilation-links">{back} · {word} · {hint}</p>\n'
        + compilation_body(selection, None, cache)
        + "\n</body>\n</html>\n"
    )


def compilation_pages(archive: Archive, cache: Cache | None = None) -> dict[str, Deferred]:
    """Every year's compilation page: its file in the site -> its HTML, made when its key is new.

    The page is a function of the year's selection alone (every field of its reports), so a serve
    rebuild after an edit assembles only the compilation of the year that changed.
    """

    def page(year: int) -> Deferred:
        selection = select_year(archive, year)
        parts = [str(year), selection.title, selection.subtitle, selection.stem]
        for r in selection.reports:
            parts += [r.content_digest, str(r.year), r.unit, r.secretary]
        key = digest("compilation-page", code_version(), *parts)
        return Deferred(key, lambda: compilation_html(archive, year, cache))

    return {compilation_page(year): page(year) for year in archive.years}


def prepare(archive: Archive, cache: Cache) -> None:
    """Render every year's compilation into ``cache`` (run by a full build's second process)."""
    for year in archive.years:
        compilation_body(select_year(archive, year), None, cache)


def link_year_page(archive: Archive, year: int, markdown: str) -> str:
    """A year page's Markdown with the links to its compilation and its Word file under the heading."""
    heading, _, rest = markdown.partition("\n\n")
    return f"{heading}\n\n{year_links(archive, year)}{rest}"
