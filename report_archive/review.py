"""Review views (述职评议): problems and next steps side by side, and last year's promises.

Built from :mod:`sections`; pure functions from the archive to Markdown (and, for the panel on a
report page, to HTML rendered with the same Markdown library the site uses).
"""

from __future__ import annotations

import functools
import html
import re

import markdown

from . import forked, sanitize
from .archive import Archive
from .cache import Cache, Deferred
from .model import Report
from .pages import base_key, esc, html_link, keyed, link, page_url, ready, table_html
from .sections import LABELS, Section, find_sections, flatten_headings

REVIEW_INDEX = "review/index.md"
# One converter for every panel: building a Markdown instance costs far more than a conversion.
_MARKDOWN = markdown.Markdown(extensions=["tables", "attr_list"])


def review_page_path(year: int) -> str:
    return f"review/{year}/index.md"


def sections_of(
    archive: Archive, patterns: dict[str, re.Pattern[str]], cache: Cache | None = None, split: bool = False
) -> dict[str, dict[str, Section]]:
    """Report path -> the sections found in it (``split``: half found by a second process, see
    :mod:`forked`)."""
    cache = cache or Cache(None)
    kinds = patterns_key(patterns)

    def find(r: Report) -> dict[str, Section]:
        return cache.compute("sections", r.body_digest, lambda: find_sections(r.body, patterns), kinds, keep=True)

    reports = archive.reports
    found = forked.map_split(find, reports, "查找报告段落失败") if split else [find(r) for r in reports]
    return {r.path: sections for r, sections in zip(reports, found, strict=True)}


def patterns_key(patterns: dict[str, re.Pattern[str]]) -> str:
    """The section patterns as a key part: what ``sections_of`` finds depends on them."""
    return repr(sorted((kind, p.pattern) for kind, p in patterns.items()))


def section_html(section: Section, body: str, cache: Cache | None = None) -> str:
    """A section of the report ``body`` as HTML for another page: headings flattened, through the HTML allowlist."""
    text = section.text_in(body)

    def render() -> str:
        return sanitize.clean(_MARKDOWN.reset().convert(flatten_headings(text)))

    return (cache or Cache(None)).compute("section-html", text, render)


def render_sections(archive: Archive, found: dict[str, dict[str, Section]], cache: Cache) -> None:
    """Render into ``cache`` the HTML of every section the review pages and report panels show
    (a full build's second process does this while the main process converts pages)."""
    for report in archive.reports:
        for kind in ("problems", "next"):
            section = found.get(report.path, {}).get(kind)
            if section is not None:
                section_html(section, report.body, cache)


def _side(kind: str, section: Section | None, body: str, cache: Cache | None) -> str:
    # Ready HTML, not Markdown: the report's own text must not be read as part of this page's markup.
    if section is None:
        return f'<div class="review-pair__side"><p><strong>{LABELS[kind]}</strong>：未识别出这一部分。</p></div>'
    heading = html.escape(section.heading)
    return (
        f'<div class="review-pair__side"><p><strong>{LABELS[kind]}</strong>（{heading}）</p>\n'
        f"{section_html(section, body, cache)}\n</div>"
    )


def missing_kinds(found: dict[str, Section], kinds: tuple[str, ...] = ("problems", "next")) -> list[str]:
    return [LABELS[k] for k in kinds if k not in found]


def review_year(archive: Archive, year: int, found: dict[str, dict[str, Section]], cache: Cache | None = None) -> str:
    """/review/<year>/: each unit's problems and next steps, side by side, linked to the report."""
    source = review_page_path(year)
    reports = sorted(archive.by_year[year], key=lambda r: (archive.registry.sort_key(r.unit), r.path))
    lines = [f"# {year} 年述职评议", "", link("全部年份", REVIEW_INDEX, source), ""]
    lines.append("每个单位的“存在的问题”和“下一步打算”并排列出，便于对照评议。")
    lines.append("")
    unrecognised = []
    for report in reports:
        sections = found.get(report.path, {})
        gaps = missing_kinds(sections)
        if gaps:
            unrecognised.append((report, gaps))
        lines += [f"## {esc(report.unit)} · {esc(report.secretary)}", "", link("阅读全文", report.path, source), ""]
        pair = [_side(kind, sections.get(kind), report.body, cache) for kind in ("problems", "next")]
        lines.append(ready('<div class="review-pair">\n' + "\n".join(pair) + "\n</div>"))
    if unrecognised:
        lines += [
            "## 未能识别章节的报告",
            "",
            "以下报告中没有找到对应标题（可在 mkdocs.yml 的 `extra.review.sections` 中调整识别规则）：",
            "",
        ]
        lines += [
            f"- {link(f'{r.unit}（{r.secretary}）', r.path, source)}：缺少{'、'.join(g)}" for r, g in unrecognised
        ]
    return "\n".join(lines) + "\n"


def review_index(archive: Archive, found: dict[str, dict[str, Section]]) -> str:
    source = REVIEW_INDEX
    lines = ["# 述职评议", "", "按年份对照各单位报告中的“存在的问题”和“下一步打算”。", ""]
    rows = []
    for year in reversed(archive.years):
        reports = archive.by_year[year]
        complete = sum(1 for r in reports if not missing_kinds(found.get(r.path, {})))
        rows.append([html_link(f"{year} 年", review_page_path(year), source), str(len(reports)), str(complete)])
    return "\n".join(lines) + ready(table_html(["年份", "报告数", "识别出两部分的报告"], rows))


def review_pages(archive: Archive, found: dict[str, dict[str, Section]], cache: Cache | None = None) -> dict[str, str]:
    return {src: page.make() for src, page in keyed_review_pages(archive, found, "", cache).items()}


def keyed_review_pages(
    archive: Archive, found: dict[str, dict[str, Section]], patterns: str, cache: Cache | None = None
) -> dict[str, Deferred]:
    """``review_pages``, each made only when its key is new; ``found`` as found with ``patterns``
    (see ``patterns_key``). A year's page shows the sections of that year's reports alone."""
    base = base_key(archive, "review", patterns)
    index = functools.partial(review_index, archive, found)
    pages = {REVIEW_INDEX: keyed(archive, base, "index", "", archive.reports, index)}
    for year in archive.years:
        make = functools.partial(review_year, archive, year, found, cache)
        pages[review_page_path(year)] = keyed(archive, base, "year", year, archive.by_year[year], make)
    return pages


def last_years_next_steps(
    archive: Archive, report: Report, found: dict[str, dict[str, Section]], cache: Cache | None = None
) -> dict[str, str] | None:
    """The same unit's previous report's "next steps", as HTML, for the panel on a report page."""
    previous, _ = archive.neighbours(report)
    if previous is None:
        return None
    section = found.get(previous.path, {}).get("next")
    if section is None:
        return {"year": str(previous.year), "url": page_url(previous.path), "html": "", "heading": ""}
    return {
        "year": str(previous.year),
        "url": page_url(previous.path),
        "html": section_html(section, previous.body, cache),
        "heading": section.heading,
    }
