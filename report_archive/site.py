"""One build of the site from the archive: the hooks' single point of contact.

A build works once per report content (through :mod:`cache`) and, when the output folder already
holds an earlier build (``mkdocs serve --dirty``, ``mkdocs build --dirty``), rebuilds only the
pages a change touches: every page whose output depends on the archive gets a digest of all it
shows; where the digest differs from the last build's, the old output is removed so that MkDocs
renders it again, and generated pages are written to files whose modification time changes only
with their content. The result is the same as a clean build's (a test checks it byte for byte).
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import multiprocessing
import os
import shutil
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import history, liveindex, pages, reuse, review, sanitize, search, stats
from .archive import Archive, load_archive
from .cache import Cache, Deferred, code_version, digest, forget_unused, keep_in_memory, remember
from .converted import Conversions, Converted, count_warnings_only, warnings_logged
from .export import html as export_html
from .export import pages as export_pages
from .model import Problem, Report
from .sections import Section, compile_patterns
from .validate import locate_removals

# Generated pages listed in the site navigation (every other generated page stays out of it).
NAV_PAGES = (*pages.NAV_PAGES, stats.STATS_PAGE, review.REVIEW_INDEX)
HOME = "index.md"
GUIDE = "guide.md"


# Search texts by cache key, for the life of the process: a serve session reads each from disk once.
_TEXTS: dict[str, str] = {}
_SERVING = False
_LATER = False  # full builds: reuse figures worked in a second process while the pages render
_DIRTY = False  # builds leave the output folder as it is (``--dirty``)
log = logging.getLogger("mkdocs.report_archive.site")


def serving(on: bool) -> None:
    """Builds for ``mkdocs serve``: per-report work stays in memory between builds, and the search
    index is written after the pages (a changed page is served without waiting for the index)."""
    global _SERVING
    _SERVING = on
    keep_in_memory(on)
    if not on:
        liveindex.reset()


def configure(command: str, dirty: bool) -> None:
    """What kind of builds this process runs (``mkdocs build``, ``mkdocs serve``; dirty or full)."""
    global _LATER, _DIRTY
    serving(command == "serve")
    _LATER = command != "serve" and not dirty
    _DIRTY = dirty


def wait_for_index(always: bool = False) -> None:
    """Before a build empties the output folder: let the last build's search index finish.

    A dirty build leaves the folder as it is and goes on (see :mod:`liveindex`).
    ``always``: wait in any case (the whole index is in place on return).
    """
    if always or not _DIRTY:
        liveindex.wait()


def starting() -> None:
    """A build begins: before it empties the output folder, the last build's search index finishes;
    in a serve session, a whole index still waiting or being built behind a delta gives way to it."""
    wait_for_index()
    liveindex.build_started()


@dataclass
class BuildState:
    """What the pages in one output folder were built from (kept in the cache between builds)."""

    digests: dict[str, str] = field(default_factory=dict)  # page source -> digest of what it shows
    dests: dict[str, str] = field(default_factory=dict)  # page source -> its output file
    # report path -> search doc fields (url, title, year, unit, secretary, body_start) and the cache
    # key of its normalised body text (search.body_key)
    search: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    index: str = ""  # digest of the search docs the index was written from
    stamps: dict[str, tuple[int, int]] = field(default_factory=dict)  # generated page -> its file's size, mtime


@dataclass
class Build:
    archive: Archive
    cache: Cache
    site_dir: Path
    theme: str  # digest of everything besides the archive that shapes pages
    sections: dict[str, dict[str, Section]] = field(default_factory=dict)
    patterns_key: str = ""  # the section patterns ``sections`` were found with (``review.patterns_key``)
    contexts: dict[str, dict[str, object]] = field(default_factory=dict)  # report path -> template data
    injected: dict[str, str] = field(default_factory=dict)  # home / guide -> Markdown put into them
    state: BuildState = field(default_factory=BuildState)
    previous: BuildState = field(default_factory=BuildState)
    generated: set[str] = field(default_factory=set)
    changed: dict[str, object] = field(default_factory=dict)  # report path -> date of its last commit
    # Set while the reuse figures are worked in a second process: waits for them and attaches them.
    waiting: Callable[[], None] | None = None
    later: dict[str, Path] = field(default_factory=dict)  # generated pages written once figures are in
    late: dict[str, str] = field(default_factory=dict)  # ... and their Markdown, once written
    # Full builds: ready pages (year compilations) to make once the second process has rendered
    # their parts; MkDocs copies them after it has converted every page's Markdown.
    pending: dict[str, tuple[Path, Deferred]] = field(default_factory=dict)
    digested: bool = False  # the digests of what report pages show are in ``state``
    blocks: dict[str, list[str]] = field(default_factory=dict)  # page -> ready HTML blocks, until converted
    conversions: Conversions = field(init=False)  # pages' HTML kept from earlier conversions
    # Report pages' HTML serves as the compilation's (the same Markdown setup; see ``export.html``).
    fragments_from_pages: bool = False
    # Full builds: the review year pages are made with the year pages, from the sections' HTML the
    # second process rendered meanwhile (Markdown conversions this process need not wait for).
    review_later: bool = False
    as_body: set[str] = field(default_factory=set)  # report pages whose Markdown is their report's text
    ahead: ConvertingAhead | None = None  # full builds: the second process converts reports too
    with_search: bool = True  # the site has a search index (``extra.search_index``)
    _index_checked: bool = False  # ``index_ahead`` ran: the index is written or was not due
    _index_job: Future[search.IndexStats | None] | None = None  # the index being written meanwhile

    def __post_init__(self) -> None:
        self.conversions = Conversions(self.cache, self.theme)

    @classmethod
    def start(
        cls,
        docs_dir: Path,
        root: Path,
        site_dir: Path,
        section_patterns: dict | None = None,
        theme_inputs: tuple[Path, ...] = (),
        markdown: tuple[list[Any], dict[str, Any]] | None = None,
        ahead: ConvertingAhead | None = None,
        with_search: bool = True,
    ) -> Build:
        """Load and check the archive, then compute what every page shows: reuse, sections, history.

        ``markdown``: the site's Markdown extensions and their settings; ``ahead``: how to convert a
        report page as MkDocs will (a full build's second process converts reports with it);
        ``with_search``: the site has a search index.
        """
        cache = Cache.for_project(root)
        archive = load_archive(docs_dir, root / "units.yml", cache, split=_LATER)
        theme = _theme_digest(theme_inputs, section_patterns)
        from_pages = cache.folder is not None and markdown is not None and export_html.same_markdown(*markdown)
        helped = _LATER and cache.folder is not None  # a second process can leave its work in the cache
        ahead = ahead if helped else None
        patterns = compile_patterns(section_patterns)
        sections = review.sections_of(archive, patterns, cache, split=_LATER)

        def then() -> dict[str, tuple[Any, ...]]:
            """The second process's work after the reuse figures: the review sections' HTML (see
            ``review_later``), the compilations' reports where the pages' HTML cannot serve (see
            ``pending``), then reports converted ahead of this process (their search fields)."""
            if helped:
                review.render_sections(archive, sections, cache)
            if cache.folder is not None and not from_pages:
                export_pages.prepare(archive, cache)
            return ahead.run(archive, Conversions(cache, theme), from_pages) if ahead is not None else {}

        waiting = reuse.attach_later(archive, cache, then) if _LATER else None
        if waiting is None:
            reuse.attach(archive, cache)
        build = cls(archive, cache, site_dir, theme, sections, review.patterns_key(patterns))
        build.review_later = helped and waiting is not None
        build.fragments_from_pages = from_pages
        build.with_search = with_search
        build.ahead = ahead if waiting is not None else None
        build.changed = history.last_changed(root)
        build.waiting = waiting
        if waiting is None:
            build._ready()
        build.previous = cache.get(build._state_key(), keep=True) or BuildState()
        return build

    def _ready(self) -> None:
        """Once the reuse figures are attached: what each report page shows around its text."""
        self._second_process_done()
        if not self.contexts:
            for report in self.archive.reports:
                context, page_digest = self._context_and_digest(report)
                self.contexts[report.path] = context
                self.state.digests[report.path] = page_digest

    def _second_process_done(self) -> None:
        """Wait for the second process (if any, and not yet): attach its reuse figures and take the
        search fields of the reports it converted, so that the search index can start before this
        process has gone through those reports' pages."""
        if self.waiting is None:
            return
        converted = self.waiting()
        self.waiting = None
        for path, fields in (converted or {}).items():
            self.state.search.setdefault(path, fields)
        self._index_once_all_known()

    # ---- pages --------------------------------------------------------------------------------

    def generated_pages(self) -> dict[str, str | Deferred]:
        """Source path -> Markdown of every generated page MkDocs renders but those of ``_later_pages``;
        most are ``Deferred``, made only when what they show changed."""
        archive = self.archive
        generated: dict[str, str | Deferred] = dict(pages.index_pages(archive, with_reuse=False))
        generated[stats.STATS_PAGE] = stats.keyed_stats_page(archive)
        later = set(self._later_sources())
        generated |= {src: page for src, page in self._review_pages().items() if src not in later}
        generated[search.PAGE] = search.PAGE_SOURCE
        return generated

    def _review_pages(self) -> dict[str, Deferred]:
        return review.keyed_review_pages(self.archive, self.sections, self.patterns_key, self.cache)

    def _later_pages(self) -> dict[str, Deferred]:
        """The pages made once the second process is done: those showing reuse figures (the year pages,
        with their links to the compilation) and, with ``review_later``, the review year pages."""
        later = pages.keyed_reuse_pages(self.archive, functools.partial(export_pages.link_year_page, self.archive))
        if self.review_later:
            later |= {src: page for src, page in self._review_pages().items() if src != review.REVIEW_INDEX}
        return later

    def _later_sources(self) -> list[str]:
        """``_later_pages``' source paths, known before the reuse figures are."""
        later = pages.reuse_pages_sources(self.archive)
        return later + ([review.review_page_path(y) for y in self.archive.years] if self.review_later else [])

    def generated_files(self, folder: Path) -> dict[str, Path]:
        """Each generated page written to a file under ``folder`` that changes only when its content does."""
        files = {src: self._write(folder / src, src, content) for src, content in self.generated_pages().items()}
        # The year compilations: ready HTML pages, made (in full builds) once the second process has
        # rendered their reports.
        for src, content in export_pages.compilation_pages(self.archive, self.cache).items():
            if self.waiting is not None:
                self.state.digests[src] = self._digest(content)
                if not self._current(folder / src, src):
                    self.pending[src] = (folder / src, content)  # made in ``_write_later``
                    self.generated.add(src)
                    files[src] = folder / src
                    continue
            files[src] = self._write(folder / src, src, content)
        if self.waiting is None:
            later = {src: self._write(folder / src, src, md) for src, md in self._later_pages().items()}
        else:  # written when MkDocs reads them, after the reports: the figures are in by then
            later = {src: folder / src for src in self._later_sources()}
            for path in later.values():
                if not path.exists():
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_bytes(b"")
            self.later = dict(later)
            self.generated |= set(later)
        return files | later

    def _write(self, path: Path, src: str, markdown: str | Deferred) -> Path:
        """A generated page's file, rewritten when it shows something new or is not what it should be.

        Unchanged content whose file is as the last build left it (size, mtime) costs no reading;
        ``Deferred`` content is made only when its key is new or its file changed.
        """
        self.generated.add(src)
        deferred = isinstance(markdown, Deferred)
        self.state.digests[src] = self._digest(markdown)
        if self._current(path, src):
            self.state.stamps[src] = self.previous.stamps[src]  # unchanged, and as the last build left it
            return path
        data = (markdown.make() if deferred else markdown).encode("utf-8")
        if not path.exists() or path.read_bytes() != data:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        self.state.stamps[src] = _stamp(path)
        return path

    def _digest(self, content: str | Deferred) -> str:
        return (
            digest(self.theme, "deferred", content.key)
            if isinstance(content, Deferred)
            else digest(self.theme, content)
        )

    def _current(self, path: Path, src: str) -> bool:
        """Whether ``src``'s file is what the last build wrote for the same content (digest and stamp)."""
        stamp = self.previous.stamps.get(src)
        content_digest = self.state.digests.get(src)
        return stamp is not None and self.previous.digests.get(src) == content_digest and _stamp(path) == stamp

    def _write_later(self) -> dict[str, str]:
        """The generated pages left for after the reuse figures: written now, Markdown by source."""
        self._ready()
        for src, (path, content) in list(self.pending.items()):
            self._write(path, src, content)
            del self.pending[src]
        markdown = {}
        for src, content in self._later_pages().items():
            if src in self.later:
                markdown[src] = self._write(self.later.pop(src), src, content).read_text(encoding="utf-8")
        return markdown

    def inject(self, src: str, repo_url: str | None, edit_uri: str | None) -> None:
        """Compute the archive's Markdown for the home page and the guide (they depend on the archive)."""
        if src == HOME:
            self.injected[src] = pages.home_summary(self.archive, src)
        elif src == GUIDE:
            self.injected[src] = pages.new_report_links(self.archive, repo_url, edit_uri)

    def page_markdown(self, src: str, markdown: str) -> str:
        """The Markdown MkDocs converts: the archive's own pages with their ready HTML blocks set aside."""
        if src in self.later:
            self.late |= self._write_later()
        if src in self.late:
            markdown = self.late[src]
        marker = {HOME: pages.HOME_MARKER, GUIDE: pages.NEW_REPORT_MARKER}.get(src)
        if marker and src in self.injected:
            markdown = markdown.replace(marker, self.injected[src])
        if src in self.generated or src in self.injected:  # never a report's: its text is not trusted
            markdown, self.blocks[src] = pages.split_ready(markdown)
        report = self.archive.get(src)
        if report is not None and self.ahead is not None:
            self.ahead.reached(src)
            if self.waiting is not None and self.waiting.done():  # it converted the rest
                self._second_process_done()
        if report is not None and markdown == export_html.converted_text(report):
            self.as_body.add(src)
        return markdown

    def page_html(self, src: str, html: str) -> str:
        """A page's HTML with the ready blocks set aside from its Markdown put back."""
        blocks = self.blocks.pop(src, None)
        return html if blocks is None else pages.join_ready(html, blocks)

    def invalidate(self, dests: dict[str, str]) -> list[str]:
        """Remove the outputs of pages whose content changed since the last build into this folder.

        ``dests`` maps every page source to its output file. Returns the sources whose output was
        removed. Outputs of reports that are gone are removed too.
        """
        self.state.dests = dict(dests)
        if self.waiting is not None:  # a full build into an emptied folder: nothing to remove
            return []
        self._page_digests()
        removed, unknown = [], 0
        for src, page_digest in self.state.digests.items():
            stale = self.previous.digests.get(src) != page_digest
            known = self.previous.search.get(src)
            if src in self.contexts and (known is None or self._search_text(known[6]) is None):
                stale, unknown = True, unknown + 1  # its search text is not known without rendering it
            if stale and src in dests and src not in self.generated:
                removed += _remove(dests[src], src)
        for src, dest in self.previous.dests.items():
            if src not in dests:  # a report (or any page) that is gone, with its folders if now empty
                removed += _remove(dest, src)
                _prune_folders(Path(dest).parent, self.site_dir)
        names = " ".join(removed[:20]) + (" …" if len(removed) > 20 else "")
        log.debug(f"dirty build: {len(removed)} outputs removed ({unknown} without a known search text): {names}")
        return removed

    def _page_digests(self) -> None:
        """What each page with injected Markdown shows, as digests (report pages': see ``_ready``)."""
        self.digested = True
        for src, markdown in self.injected.items():
            self.state.digests[src] = digest(self.theme, src, markdown)

    def _context_and_digest(self, report: Report) -> tuple[dict[str, object], str]:
        """What a report page shows around its text, and a digest of all the page shows.

        ``mkdocs serve`` keeps both between builds under a key made of all they are made from: the
        report, its neighbours (each by its signature), its reuse figures and its last change.
        """
        archive = self.archive
        changed = self.changed.get(report.path)
        previous, following = archive.neighbours(report)
        around = [archive.signature(r) if r else "" for r in (report, previous, following)]
        figures = archive.reuse.get(report.path)
        shares = f"{figures.previous!r} {figures.anywhere!r}" if figures else ""  # the page shows no spans
        key = ("report-page", self.theme, *around, shares, str(changed))

        def make() -> tuple[dict[str, object], str]:
            context = self._report_context(report, changed)
            return context, digest(self.theme, report.content_digest, _stable(context))

        return remember(key, make)

    # ---- report pages -------------------------------------------------------------------------

    def report_html(self, report: Report, url: str, html: str, kept: bool = False) -> tuple[str, list[Problem]]:
        """The report page's HTML as published (through the allowlist), and what the allowlist removed.

        ``kept``: the page was converted afresh and its conversion kept (it depends on its Markdown alone).
        """
        cleaned, removed, fields = _text_work(self.cache, report, url, html)
        self.state.search[report.path] = fields
        self._index_once_all_known()
        if kept and self.fragments_from_pages and report.path in self.as_body:
            export_html.keep_fragment(report, cleaned, self.cache)
        return cleaned, locate_removals(report, removed)

    def report_context(self, report: Report) -> dict[str, object]:
        self._ready()
        return self.contexts[report.path]

    def _report_context(self, report: Report, changed: object) -> dict[str, object]:
        """What a report page's template shows around the text."""
        archive = self.archive
        header = pages.report_header(archive, report, changed)
        figures = archive.reuse.get(report.path)
        previous, _ = archive.neighbours(report)
        header["reuse"] = {
            "previous": pages.percent(figures.previous) if figures and previous else "",
            "previous_year": str(previous.year) if previous else "",
            "previous_url": pages.page_url(previous.path) if previous else "",
            "anywhere": pages.percent(figures.anywhere) if figures else "",
        }
        header["panel"] = review.last_years_next_steps(archive, report, self.sections, self.cache)
        header["word"] = export_pages.report_download(report)
        return header

    # ---- after the pages ----------------------------------------------------------------------

    def index_ahead(self) -> None:
        """Outside ``mkdocs serve``: start writing the search index as soon as every report's text is
        known (once the last report page is converted, else at MkDocs' ``on_env``), so that the index's
        child process works while this one converts the other pages and renders all of them.
        ``finish`` waits for it."""
        if not self.with_search or _SERVING or self._index_checked:
            return
        self._index_checked = True
        out = self._index_due()
        if out is not None:
            pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="search-index")
            self._index_job = pool.submit(self._write_index, self._documents(), out)
            pool.shutdown(wait=False)

    def _index_once_all_known(self) -> None:
        if len(self.state.search) == len(self.archive.reports):  # every report's text is known
            self.index_ahead()

    def _index_due(self) -> Path | None:
        """The search index's folder if what it indexes changed since the last build or it is missing."""
        for report in self.archive.reports:
            fields = self.state.search.get(report.path) or self.previous.search[report.path]
            self.state.search[report.path] = fields
        self.state.index = digest(*(repr(self.state.search[r.path]) for r in self.archive.reports))
        out = self.site_dir / search.INDEX_DIR
        return out if self.state.index != self.previous.index or not (out / "docs.json").exists() else None

    def finish(self) -> search.IndexStats | None:
        """Write the search index when what it indexes changed (or it is missing); keep the state."""
        log.info(f"Markdown 转换：{self.conversions.converted} 个页面，沿用之前的转换：{self.conversions.used} 个页面")
        if not self.digested:  # a full build: what its pages show, for the dirty builds after it
            self._write_later()
            self._page_digests()
        written = None
        if self._index_job is not None:  # started by ``index_ahead``
            written = self._index_job.result()
        elif self.with_search and not self._index_checked:
            out = self._index_due()
            if out is not None and _SERVING:
                entries = [(r.path, self.state.search[r.path]) for r in self.archive.reports]
                docs = liveindex.Docs(self.state.index, entries, _DocList(entries, self._bodies(entries)))
                liveindex.update(docs, out, self._index_apart, self._failed)
            elif out is not None:
                written = self._write_index(self._documents(), out)
        self.cache.put(self._state_key(), self.state, keep=True)
        for key in set(_TEXTS) - {fields[6] for fields in self.state.search.values()}:
            del _TEXTS[key]  # texts of pages no build needs any more
        forget_unused()
        return written

    def _documents(self) -> Iterator[search.SearchDoc | search.StoredDoc]:
        """The search documents, one at a time. A full build keeps no report's search text in memory:
        its documents name their text's cache entry, which the index's child process reads."""
        for report in self.archive.reports:
            fields = self.state.search[report.path]
            if self.cache.folder is not None and not _SERVING:
                yield search.StoredDoc(*fields[:5], str(self.cache.folder), fields[6])
                continue
            yield search.doc_from_body(*fields[:5], self._body(report.path, fields[6]))

    def _bodies(self, entries: list[tuple[str, tuple[Any, ...]]]) -> dict[str, str]:
        """Each report's search body by its key (a serve session holds them in memory)."""
        return {fields[6]: self._body(path, fields[6]) for path, fields in entries}

    def _body(self, path: str, key: str) -> str:
        """A report's search body, which its page's rendering left in memory or in the cache."""
        body = self._search_text(key)
        if body is None:
            raise search.missing_text(path)
        return body

    def _index_apart(self, docs: Iterable[search.SearchDoc], fresh: Path, cancelled: Callable[[], bool]) -> None:
        """A serve session's whole index, built in a child process (see :mod:`liveindex`)."""
        self._fresh_index(docs, fresh, lambda d, f: search.build_index_apart(d, f, cancelled))

    def _failed(self) -> None:
        """The serve session's index could not be written: the next build writes everything again."""
        self.cache.put(self._state_key(), BuildState(), keep=True)

    def _write_index(self, docs: Iterable[search.SearchDoc | search.StoredDoc], out: Path) -> search.IndexStats | None:
        """Write the index beside ``out`` and then put it in its place, so a reader never sees half of it."""
        fresh = out.with_name(out.name + ".new")
        written = self._fresh_index(docs, fresh, search.build_index_apart)
        search.replace_index(fresh, out)
        return written

    def _fresh_index(
        self, docs: Iterable[search.SearchDoc | search.StoredDoc], fresh: Path, build: Callable
    ) -> search.IndexStats | None:
        """Build the index into ``fresh`` (with ``build``), or copy the one built before from the same documents."""
        written = None
        kept = self.cache.folder / "index" / self.state.index if self.cache.folder else None
        manifest_key = digest("index-manifest", self.state.index)
        manifest = self.cache.get(manifest_key)
        shutil.rmtree(fresh, ignore_errors=True)
        if kept is not None and manifest is not None and _manifest(kept) == manifest:  # as it was written
            _copy_or_link(kept, fresh)
        else:
            written = build(docs, fresh)
            if kept is not None:
                shutil.rmtree(kept.parent, ignore_errors=True)  # only the newest index is kept
                _copy_or_link(fresh, kept)
                self.cache.put(manifest_key, _manifest(kept))
        return written

    def _search_text(self, key: str) -> str | None:
        return _search_text(self.cache, key)

    def _state_key(self) -> str:
        return digest("build-state", code_version(), str(self.site_dir.resolve()))


def _search_text(cache: Cache, key: str) -> str | None:
    """A report's search body: kept in memory by ``mkdocs serve`` (and without a cache folder), else
    read from the cache each time it is needed (a full build's index reads them in its child process)."""
    if key in _TEXTS:
        return _TEXTS[key]
    text = cache.get(key)
    if text is not None and _SERVING:
        _TEXTS[key] = text
    return text


def _text_work(cache: Cache, report: Report, url: str, html: str) -> tuple[str, list, tuple[Any, ...]]:
    """What a report page's converted HTML gives: the HTML through the allowlist, what that removed,
    and the page's search fields (``BuildState.search``: the document's and the cache key of its
    body text, stored under it)."""
    cleaned, removed = cache.compute("sanitize", html, lambda: sanitize.clean_and_report(html))
    key = search.body_key(cleaned)
    if _search_text(cache, key) is None:  # (read, not only looked up: a corrupt entry is made again here)
        body = cache.put(key, search.body_text(cleaned))
        if _SERVING or cache.folder is None:
            _TEXTS[key] = body
    return cleaned, removed, (*search.document_fields(report, url), key)


class ConvertingAhead:
    """Report pages converted by a full build's second process while the main process converts them too.

    The main process converts the reports in MkDocs' order from the first; the second one, once its
    other work is done, from the last backwards, until it reaches a report the main process has
    reached (told through shared memory). What it converts goes into the cache as the main process
    would put it there (the conversion, the allowlisted HTML, the search text, the compilation's
    fragment), so the main process finds each report it gets to as in a warm build. A conversion
    that warned, links to another file or was not of the report's body is left to the main process.
    """

    def __init__(self, order: list[str], convert: Callable[[str], tuple[str, Converted, str] | None]):
        self.order = order  # report pages in the order MkDocs converts them
        self.convert = convert  # a report page's Markdown, conversion and URL, as MkDocs makes them
        self.position = {src: n for n, src in enumerate(order)}
        self.main = multiprocessing.RawValue("q", -1)  # where the main process is (shared memory)

    def reached(self, src: str) -> None:
        """The main process is about to convert ``src``."""
        self.main.value = max(self.main.value, self.position.get(src, -1))

    def run(self, archive: Archive, conversions: Conversions, fragments: bool) -> dict[str, tuple[Any, ...]]:
        """Convert reports from the last one back (in the second process); returns the search fields
        of those it converted (see ``_text_work``)."""
        count_warnings_only()
        found: dict[str, tuple[Any, ...]] = {}
        for number in range(len(self.order) - 1, -1, -1):
            if self.main.value >= number:
                break
            src = self.order[number]
            report = archive.get(src)
            if report is None:
                continue
            warnings = warnings_logged()
            try:
                result = self.convert(src)
            except Exception:  # the main process converts it again and reports what went wrong
                continue
            if result is None or result[0] != export_html.converted_text(report) or warnings_logged() != warnings:
                continue
            if conversions.keep(conversions.key(src, result[0]), result[1]):
                cleaned, _, found[src] = _text_work(conversions.cache, report, result[2], result[1].html)
                if fragments:
                    export_html.keep_fragment(report, cleaned, conversions.cache)
        return found


class _DocList(Sequence[search.SearchDoc]):
    """A serve build's search documents, each made when it is asked for, from its fields and its
    body: a build's delta takes a few of them, and making all of them would copy every text again."""

    def __init__(self, entries: list[tuple[str, tuple[Any, ...]]], bodies: dict[str, str]):
        self.entries = entries
        self.bodies = bodies

    def __len__(self) -> int:
        return len(self.entries)

    def __getitem__(self, number: int) -> search.SearchDoc:  # (whole numbers only, no slices)
        fields = self.entries[number][1]
        return search.doc_from_body(*fields[:5], self.bodies[fields[6]])


def _copy_or_link(source: Path, target: Path) -> None:
    """``source``'s files at ``target`` as hard links (no bytes copied), or copies across file systems.

    A linked file changed in the site changes the kept copy too: its manifest then no longer
    matches and the index is built afresh.
    """
    try:
        shutil.copytree(source, target, copy_function=os.link)
    except OSError:
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(source, target)


def _manifest(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with the digest of its bytes."""
    if not folder.is_dir():
        return {}
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _stamp(path: Path) -> tuple[int, int] | None:
    """A file's size and modification time (None if it is missing): any write changes it."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns


def _stable(value: object) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def _remove(dest: str, src: str) -> list[str]:
    try:
        os.remove(dest)
    except FileNotFoundError:
        return []
    return [src]


def _prune_folders(folder: Path, top: Path) -> None:
    while folder != top and top in folder.parents:
        try:
            folder.rmdir()
        except OSError:  # not empty (or already gone)
            return
        folder = folder.parent


def _theme_digest(inputs: tuple[Path, ...], section_patterns: dict | None) -> str:
    """Code, templates, styles and configuration: when any changes, every page is rebuilt."""
    h = hashlib.sha256(code_version().encode() + _stable(section_patterns).encode())
    for root in inputs:  # named relative to the input (MkDocs gives the configuration's path as typed)
        for path in sorted(root.rglob("*")) if root.is_dir() else [root]:
            if path.is_file():
                name = path.relative_to(root).as_posix() if root.is_dir() else path.name
                h.update(name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()
