"""MkDocs hooks for the report archive: each event is one call into ``report_archive``."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mkdocs.structure.files import File, InclusionLevel

from report_archive import Archive, pages, search, site

log = logging.getLogger("mkdocs.hooks.archive")
_data = site.SiteData(Archive())
_search_docs: list[search.SearchDoc] = []


def on_files(files, config):
    """Validate every report, drop drafts and unreadable files, add the generated pages."""
    global _data, _search_docs
    _search_docs = []
    root = Path(config.config_file_path).parent
    patterns = config.extra.get("review", {}).get("sections")
    _data = site.prepare(Path(config.docs_dir), root / "units.yml", root, patterns)
    for problem in _data.archive.problems:
        log.error(str(problem))
    for file in [f for f in files if _data.archive.left_out(f.src_uri)]:
        files.remove(file)
    for src, markdown in site.generated_pages(_data).items():
        inclusion = InclusionLevel.UNDEFINED if src in site.NAV_PAGES else InclusionLevel.NOT_IN_NAV
        files.append(File.generated(config, src, content=markdown, inclusion=inclusion))
    return files


def on_page_markdown(markdown, page, config, files):
    """Fill in the home page's account of the archive and the guide's new-report links."""
    if pages.HOME_MARKER in markdown:
        return markdown.replace(pages.HOME_MARKER, pages.home_summary(_data.archive, page.file.src_uri))
    if pages.NEW_REPORT_MARKER in markdown:
        links = pages.new_report_links(_data.archive, config.repo_url, config.edit_uri)
        return markdown.replace(pages.NEW_REPORT_MARKER, links)
    return markdown


def on_page_content(html, page, config, files):
    """Publish each report's HTML through the allowlist (an error for whatever it removes); keep it for search."""
    report = _data.archive.get(page.file.src_uri)
    if report is None:
        return html
    html, problems = site.report_html(report, html)
    for problem in problems:
        log.error(str(problem))
    if config.extra.get("search_index", True):
        _search_docs.append(search.document(report, page.url, html))
    return html


def on_page_context(context, page, config, nav):
    """Give report pages their header, reuse figures and last year's next steps."""
    report = _data.archive.get(page.file.src_uri)
    if report is not None:
        context["report"] = site.report_context(_data, report)
    return context


def on_post_build(config):
    """Write the search index next to the pages."""
    if config.extra.get("search_index", True):
        stats = search.build_index(_search_docs, Path(config.site_dir) / search.INDEX_DIR)
        log.info(f"搜索索引：{stats.documents} 份报告，{stats.index_bytes / 2**20:.1f} MB，{stats.files} 个文件")
