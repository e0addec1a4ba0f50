"""MkDocs hooks for the report archive: each event is one call into ``report_archive``."""

from __future__ import annotations

import functools
import logging
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mkdocs.structure.files import File, InclusionLevel
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from report_archive import rendering, site
from report_archive.converted import Converted

log = logging.getLogger("mkdocs.hooks.archive")
_build: site.Build | None = None


def on_startup(command, dirty):
    """`mkdocs serve` keeps work between builds; a full build works reuse figures in a second process."""
    site.configure(command, dirty)


def on_pre_build(config):
    """Let the last build's search index finish (or give way, see ``site.starting``) before this
    build touches the output folder."""
    site.starting()


def on_files(files, config):
    """Validate every report, leave out drafts and refused files, add the generated pages."""
    global _build
    root = Path(config.config_file_path).resolve().parent
    patterns = config.extra.get("review", {}).get("sections")
    theme = (root / "overrides", Path(config.config_file_path))
    markdown = (config.markdown_extensions, config.mdx_configs)
    order = [f.src_uri for f in files.documentation_pages()]  # the order MkDocs converts pages in
    ahead = site.ConvertingAhead(order, functools.partial(_convert, config, files))
    search = config.extra.get("search_index", True)
    _build = site.Build.start(
        Path(config.docs_dir), root, Path(config.site_dir), patterns, theme, markdown, ahead, search
    )
    for problem in _build.archive.problems:
        log.error(str(problem))
    for file in [f for f in files if _build.archive.left_out(f.src_uri)]:
        files.remove(file)
    for src, path in _build.generated_files(_build.cache.pages_dir(config.site_dir)).items():
        inclusion = InclusionLevel.UNDEFINED if src in site.NAV_PAGES else InclusionLevel.NOT_IN_NAV
        files.append(File.generated(config, src, abs_src_path=str(path), inclusion=inclusion))
    for src in (site.HOME, site.GUIDE):
        _build.inject(src, config.repo_url, config.edit_uri)
    pages = [f for f in files if f.is_documentation_page() or f.src_uri in _build.generated]
    _build.invalidate({f.src_uri: f.abs_dest_path for f in pages})
    return files


def on_page_markdown(markdown, page, config, files):
    """Fill in the home page's account of the archive and the guide's new-report links.
    A page whose conversion is kept from an earlier build is not converted again (see ``on_page_content``)."""
    markdown = _build.page_markdown(page.file.src_uri, markdown)
    if _build.conversions.before(page.file.src_uri, markdown, "title" in page.meta):
        return ""
    return markdown


def on_page_content(html, page, config, files):
    """Publish each report's HTML through the allowlist (an error for whatever it removes); keep it for search.
    Other pages get back the ready HTML blocks their Markdown left out."""
    kept = _build.conversions.found(page.file.src_uri)
    if kept is not None:  # what MkDocs takes from a conversion, as the kept one gave it
        html, page.toc, page.present_anchor_ids = kept.html, get_toc(kept.toc), set(kept.anchors)
        page.links_to_anchors = {page.file: dict(kept.own_links)} if kept.own_links else {}
    fresh = kept is None and _build.conversions.after(page.file.src_uri, _converted(page, html))
    report = _build.archive.get(page.file.src_uri)
    if report is None:
        return _build.page_html(page.file.src_uri, html)
    html, problems = _build.report_html(report, page.url, html, fresh)
    for problem in problems:
        log.error(str(problem))
    return html


def on_page_context(context, page, config, nav):
    """Give report pages their header, reuse figures and last year's next steps."""
    report = _build.archive.get(page.file.src_uri)
    if report is not None:
        context["report"] = _build.report_context(report)
    return context


def on_env(env, config, files):
    """Every page's text is known: start writing the search index while the pages render, unless
    the last report page started it already. Templates compiled for an earlier build are used again;
    the navigation is rendered once for all pages outside it that link to it alike."""
    _build.index_ahead()
    rendering.keep_compiled(env)
    rendering.share_renders(env.get_template("partials/nav.html"), functools.partial(_nav_key, env, config))
    return env


def _nav_key(env, config, context):
    """What the navigation partial shows on a page outside the navigation: nothing active, so only
    its links, each as the ``url`` filter makes it relative to the page. None for other pages."""
    page, nav = context.get("page"), context.get("nav")
    if page is None or nav is None or page in nav.pages:
        return None
    items = list(_walk(nav.items))
    if any(item.active for item in items):
        return None
    homepage = nav.homepage.url if nav.homepage else ""
    targets = [config.extra.get("homepage") or homepage, config.theme.get("logo") or ""]
    targets += [item.url for item in items if getattr(item, "url", None) is not None]
    return tuple(env.filters["url"](context, target) for target in targets)


def _walk(items):
    for item in items:
        yield item
        yield from _walk(getattr(item, "children", None) or [])


def _converted(page: Page, html: str) -> Converted:
    """What MkDocs takes from a page's conversion (see ``on_page_content``)."""
    own_links = (page.links_to_anchors or {}).get(page.file, {})
    return Converted(html, _tokens(page.toc), frozenset(page.present_anchor_ids or ()), dict(own_links))


def _convert(config, files, src: str) -> tuple[str, Converted, str] | None:
    """A page's Markdown, its conversion as MkDocs will convert it and its URL (run by a second process);
    None for a page whose title would come from its conversion (see ``report_archive.converted``)."""
    page = Page(None, files.get_file_from_path(src), config)
    page.read_source(config)
    if "title" not in page.meta:
        return None
    page.render(config, files)
    return page.markdown, _converted(page, page.content), page.url


def _tokens(toc) -> list[dict]:
    """A page's table of contents as the tokens ``get_toc`` makes it from."""
    return [{"level": a.level, "id": a.id, "name": a.title, "children": _tokens(a.children)} for a in toc]


def on_post_build(config):
    """Write the search index next to the pages, when what it indexes changed."""
    stats = _build.finish()
    if stats is not None:
        log.info(f"搜索索引：{stats.documents} 份报告，{stats.index_bytes / 2**20:.1f} MB，{stats.files} 个文件")
