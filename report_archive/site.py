"""Everything a build needs from the archive, prepared once: the hooks' single point of contact."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from . import history, pages, reuse, review, sanitize, search, stats
from .archive import Archive, load_archive
from .model import Problem, Report
from .sections import Section, compile_patterns
from .validate import check_rendered

# Generated pages listed in the site navigation (every other generated page stays out of it).
NAV_PAGES = (*pages.NAV_PAGES, stats.STATS_PAGE, review.REVIEW_INDEX)


@dataclass
class SiteData:
    archive: Archive
    sections: dict[str, dict[str, Section]] = field(default_factory=dict)
    changed: dict = field(default_factory=dict)  # report path -> date of last commit


def prepare(docs_dir: Path, units_file: Path, repo: Path, section_patterns: dict | None = None) -> SiteData:
    """Load and check the archive, then compute what the pages show: reuse, sections, history."""
    archive = load_archive(docs_dir, units_file)
    reuse.attach(archive)
    sections = review.sections_of(archive, compile_patterns(section_patterns))
    return SiteData(archive, sections, history.last_changed(repo))


def generated_pages(data: SiteData) -> dict[str, str]:
    """Source path -> Markdown of every generated page."""
    generated = pages.generated_pages(data.archive)
    generated[stats.STATS_PAGE] = stats.stats_page(data.archive)
    generated |= review.review_pages(data.archive, data.sections)
    generated[search.PAGE] = search.PAGE_SOURCE
    return generated


def report_html(report: Report, html: str) -> tuple[str, list[Problem]]:
    """The report page's HTML as published (through the allowlist), and what the allowlist removed."""
    cleaned = sanitize.clean(html)
    return cleaned, check_rendered(report, html, cleaned)


def report_context(data: SiteData, report: Report) -> dict[str, object]:
    """What a report page's template shows around the text."""
    archive = data.archive
    header = pages.report_header(archive, report, data.changed.get(report.path))
    figures = archive.reuse.get(report.path)
    previous, _ = archive.neighbours(report)
    header["reuse"] = {
        "previous": pages.percent(figures.previous) if figures and previous else "",
        "previous_year": str(previous.year) if previous else "",
        "previous_url": pages.page_url(previous.path) if previous else "",
        "anywhere": pages.percent(figures.anywhere) if figures else "",
    }
    header["panel"] = review.last_years_next_steps(archive, report, data.sections)
    return header
