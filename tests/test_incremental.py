"""Incremental builds give the same site as a clean build, and the cache can never change the output."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import ROOT, TRICKY_BODY, Project, build_site, report_text, tree_differences

from report_archive import forked, load_archive
from report_archive.cache import Cache, code_version, digest

UNITS = "- name: 市民政局\n- name: 市财政局\n- name: 区教育局\n"


def _body(marker: str, next_steps: str = "继续努力。") -> str:
    return (
        f"# 述职报告\n\n## 一、履职情况\n\n{marker}做了很多工作，成效明显。\n\n"
        f"## 二、存在的问题\n\n{marker}的问题还有不少。\n\n## 三、下一步打算\n\n{next_steps}\n"
    )


def _mkdocs(project: Project, site: Path, *extra: str) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(site), *extra],
        cwd=project.path,
        env=os.environ | {"NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return result


def _archive(project: Project) -> None:
    for year in (2020, 2021, 2022):
        for unit, person in (("市民政局", "张三"), ("市财政局", "李四")):
            text = report_text(year=year, unit=unit, secretary=person, body=_body(f"{unit}{year}年"))
            project.write(f"reports/{year}/{unit}.md", text)


def _steps(project: Project) -> list:
    """An edit, an addition, a deletion, a change of person and a change of the registry, one after another."""
    return [
        # an edit: its page, its neighbours' panels and reuse, the year, unit, review pages, search
        lambda: project.write(
            "reports/2021/市民政局.md", report_text(year=2021, body=_body("改过的文字", "新的打算。"))
        ),
        # an addition: a new unit page, a new secretary, the year and stats pages
        lambda: project.write(
            "reports/2022/区教育局.md", report_text(year=2022, unit="区教育局", secretary="王五", body=_body("新单位"))
        ),
        # a deletion: its page disappears, the neighbours link past it
        lambda: (project.docs / "reports/2020/市财政局.md").unlink(),
        # a rename of the person: the old secretary page disappears
        lambda: project.write("reports/2022/市财政局.md", report_text(year=2022, unit="市财政局", secretary="赵六")),
        # the registry in another order (the same size): the unit index and the stats page follow it
        lambda: (project.path / "units.yml").write_text("".join(reversed(UNITS.splitlines(True))), encoding="utf-8"),
    ]


def test_incremental_edits_additions_and_deletions_equal_a_clean_build(tmp_path):
    project = Project(tmp_path / "project", UNITS)
    _archive(project)
    incremental = tmp_path / "incremental"
    _mkdocs(project, incremental)
    steps = _steps(project)
    for step in steps:
        step()
        _mkdocs(project, incremental, "--dirty")
        clean = tmp_path / f"clean-{steps.index(step)}"
        _mkdocs(project, clean)
        assert tree_differences(incremental, clean) == [], steps.index(step)
    assert not (incremental / "reports" / "2020" / "市财政局").exists()
    assert "新的打算" in (incremental / "reports" / "2022" / "市民政局" / "index.html").read_text(encoding="utf-8")


def test_a_serve_session_gives_what_clean_builds_give(tmp_path, monkeypatch):
    """``mkdocs serve`` keeps work in memory and updates reuse report by report: still a clean build's result.

    Its search index takes a change at once as a delta, which finds what a clean build's index finds;
    once the whole index is built behind it, the site is a clean build's byte for byte.
    """
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from test_search import Index

    from report_archive import search, site

    project = Project(tmp_path / "project", UNITS)
    _archive(project)
    served = tmp_path / "served"
    gate = threading.Event()  # holds the whole index back, so that the delta can be looked at
    whole = site.Build._index_apart
    monkeypatch.setattr(site.Build, "_index_apart", lambda self, *args: (gate.wait(60), whole(self, *args)))

    def serve_build() -> None:  # what each rebuild of `mkdocs serve --dirty` does
        config = load_config(str(project.path / "mkdocs.yml"), site_dir=str(served))
        config.plugins.on_startup(command="serve", dirty=True)
        build(config, dirty=True)

    queries = ["改过的文字", "新的打算", "新单位", "市财政局2020年", "赵六", "李四", "做了很多工作", "问题"]
    try:
        gate.set()
        serve_build()
        site.wait_for_index(always=True)
        steps = _steps(project)
        for number, step in enumerate(steps):
            gate.clear()
            step()
            serve_build()
            clean = tmp_path / f"clean-{number}"
            _mkdocs(project, clean)
            delta, whole_index = Index(served / search.INDEX_DIR), Index(clean / search.INDEX_DIR)
            if number < len(steps) - 1:  # (the last step, the registry's order, is not in the search index)
                assert delta.delta is not None or delta.meta.get("hidden"), number
            for query in queries:
                assert delta.by_url(search.normalize(query)) == whole_index.by_url(search.normalize(query)), query
            gate.set()
            site.wait_for_index(always=True)
            assert tree_differences(served, clean) == [], number
    finally:
        gate.set()
        site.serving(False)


def test_an_unchanged_rebuild_renders_no_report_again(tmp_path):
    project = Project(tmp_path / "project", UNITS)
    _archive(project)
    site = tmp_path / "site"
    _mkdocs(project, site)
    page = site / "reports" / "2021" / "市民政局" / "index.html"
    before = page.stat().st_mtime_ns
    _mkdocs(project, site, "--dirty")
    assert page.stat().st_mtime_ns == before  # not rendered again
    project.write("reports/2022/市民政局.md", report_text(year=2022, body=_body("只改这一份")))
    _mkdocs(project, site, "--dirty")
    assert page.stat().st_mtime_ns == before  # 2021 shows nothing of 2022's text
    following = site / "reports" / "2020" / "市民政局" / "index.html"
    assert "只改这一份" in (site / "reports" / "2022" / "市民政局" / "index.html").read_text(encoding="utf-8")
    assert following.exists()


def test_a_wrong_cache_entry_never_changes_the_output(tmp_path):
    project = Project(tmp_path / "project", UNITS)
    _archive(project)
    first = tmp_path / "first"
    _mkdocs(project, first)
    cache = Cache(project.path / ".cache" / "archive")
    entries = [p for p in cache.folder.rglob("*") if p.is_file() and p.stat().st_size]
    assert {"pages", "index"} <= {p.relative_to(cache.folder).parts[0] for p in entries}
    assert entries
    for entry in entries:  # flip one byte in the middle of every entry
        data = bytearray(entry.read_bytes())
        data[len(data) // 2] ^= 0xFF
        entry.write_bytes(bytes(data))
    # and one report: its old entries no longer apply
    project.write(
        "reports/2021/市财政局.md", report_text(year=2021, unit="市财政局", secretary="李四", body=_body("翻转"))
    )
    second = tmp_path / "second"
    _mkdocs(project, second)
    _mkdocs(project, second, "--dirty")  # a dirty build on top reads the flipped entries too
    (project.path / ".cache").rename(tmp_path / "old-cache")
    third = tmp_path / "third"
    _mkdocs(project, third)  # no cache at all
    assert tree_differences(second, third) == []
    assert "翻转" in (third / "reports" / "2021" / "市财政局" / "index.html").read_text(encoding="utf-8")


def test_a_changed_generated_page_file_is_written_again(tmp_path):
    """A compilation page is assembled only when its year changed; its kept file is still checked."""
    project = Project(tmp_path / "project", UNITS)
    _archive(project)
    site = tmp_path / "site"
    _mkdocs(project, site)
    compilation = site / "years" / "2021" / "汇编" / "index.html"
    before = compilation.stat().st_mtime_ns
    project.write("reports/2022/市民政局.md", report_text(year=2022, body=_body("只改二〇二二年")))
    _mkdocs(project, site, "--dirty")
    assert compilation.stat().st_mtime_ns == before  # another year's change leaves it as it was
    assert "只改二〇二二年" in (site / "years" / "2022" / "汇编" / "index.html").read_text(encoding="utf-8")
    kept = [p for p in (project.path / ".cache" / "archive" / "pages").rglob("index.html") if "2021" in p.parts]
    assert len(kept) == 1
    kept[0].write_text("被改坏的汇编", encoding="utf-8")
    _mkdocs(project, site, "--dirty")
    clean = tmp_path / "clean"
    _mkdocs(project, clean)
    assert tree_differences(site, clean) == []


def test_cache_entries_check_their_key_and_payload(tmp_path):
    cache = Cache(tmp_path)
    key = digest("kind", code_version(), "source")
    cache.put(key, {"value": 1})
    assert cache.get(key) == {"value": 1}
    path = cache._path(key)
    data = bytearray(path.read_bytes())
    data[-1] ^= 1
    path.write_bytes(bytes(data))
    assert cache.get(key) is None
    other = digest("kind", code_version(), "other")
    cache.put(other, [1, 2])
    path.write_bytes(cache._path(other).read_bytes())  # an entry stored under the wrong name
    assert cache.get(key) is None
    assert Cache(None).get(key) is None and Cache(None).compute("k", "s", lambda: 5) == 5


def test_without_a_cache_the_generated_pages_folder_goes_with_the_process(tmp_path):
    """``ARCHIVE_CACHE_DIR=off``: the generated pages' temporary folder is removed when the process ends,
    and not by a forked second process ending before it."""
    script = (
        "from report_archive import forked\n"
        "from report_archive.cache import Cache\n"
        "folder = Cache(None).pages_dir('site')\n"
        "(folder / 'page.md').write_text('x')\n"
        "waiter = forked.start(lambda: 1, 'test', 'failed')\n"
        "assert waiter is not None and waiter() == 1\n"
        "assert (folder / 'page.md').exists()  # the child ended: the folder is still there\n"
        "print(folder)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    )
    folder = Path(result.stdout.strip())
    assert folder.name.startswith("archive-pages-") and not folder.exists()


def test_an_entry_that_cannot_be_written_costs_only_time(tmp_path):
    """Each entry is written under a temporary name and then put in place; when that fails the value is
    still returned, nothing is stored and no temporary file is left behind."""
    cache = Cache(tmp_path)
    key = digest("kind", code_version(), "blocked")
    cache._path(key).mkdir(parents=True)  # a folder where the entry would go: it cannot be replaced
    (cache._path(key) / "inside").write_text("x")
    assert cache.put(key, {"value": 2}) == {"value": 2} and cache.get(key) is None
    assert [p.name for p in cache._path(key).parent.iterdir()] == [cache._path(key).name]
    written = digest("kind", code_version(), "written")
    cache.put(written, [3])
    assert cache.get(written) == [3] and not list(tmp_path.rglob(".tmp-*"))
    shutil.rmtree(tmp_path / written[:2])  # its folder removed while the cache is in use
    assert cache.put(written, [4]) == [4] and cache.put(written, [5]) == [5] and cache.get(written) == [5]


def test_a_stored_text_carries_no_second_copy(tmp_path):
    # Pickling a string attaches a UTF-8 copy of it to the string (sys.getsizeof counts it); what a
    # build keeps after storing must be the copy read back, as large as a string never pickled.
    cache = Cache(tmp_path)
    text = "".join(["述职报告正文"] * 1000)
    stored = cache.compute("text", "source", lambda: "".join(["述职报告正文"] * 1000))
    assert stored == text and sys.getsizeof(stored) == sys.getsizeof(text)
    kept = cache.put(digest("kind", "x"), {"body": "".join(["正文"] * 1000)})
    assert sys.getsizeof(kept["body"]) == sys.getsizeof("".join(["正文"] * 1000))


def test_a_serve_session_reads_a_report_again_after_any_write(tmp_path, monkeypatch):
    """Between the builds of a serve session a report is read again only when its file's stat changed;
    a write that keeps the size and puts the modification time back still changes the change time."""
    from report_archive import load_archive
    from report_archive.cache import keep_in_memory

    project = Project(tmp_path / "project", UNITS)
    _archive(project)
    path = project.docs / "reports/2021/市民政局.md"
    reads: list[str] = []
    read_bytes = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: (reads.append(self.name), read_bytes(self))[1])

    def body() -> str:
        archive = load_archive(project.docs, project.path / "units.yml", Cache(tmp_path / "cache"))
        report = archive.get("reports/2021/市民政局.md")
        assert report is not None
        return report.body

    keep_in_memory(True)
    try:
        assert "市民政局2021年做了很多工作" in body()
        reads.clear()
        assert "市民政局2021年做了很多工作" in body()
        assert "市民政局.md" not in reads  # unchanged: not read again
        before = path.stat()
        path.write_bytes(path.read_bytes().replace("做了很多工作".encode(), "做了不少事情".encode()))
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
        assert (path.stat().st_size, path.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
        assert "市民政局2021年做了不少事情" in body()
    finally:
        keep_in_memory(False)


def _conversions(result: subprocess.CompletedProcess) -> tuple[int, int]:
    """Pages converted afresh and pages whose conversion an earlier build kept, as the build logged them."""
    converted, kept = re.search(r"Markdown 转换：(\d+) 个页面，沿用之前的转换：(\d+) 个页面", result.stderr).groups()
    return int(converted), int(kept)


def test_a_build_that_uses_kept_conversions_gives_the_same_site(tmp_path, monkeypatch):
    """Reports with a title and no link to another file are not converted again; the site is the same,
    and the same as a build without a cache (where no page's HTML serves the compilation pages)."""
    project = Project(tmp_path / "project", UNITS)
    body = (
        "# 述职报告\n\n## 一、履职情况\n\n见[问题](#problems)和脚注[^1]。\n\n"
        "## 二、存在的问题 {#problems}\n\n不少。\n\n[^1]: 注。\n"
    )
    for year in (2020, 2021, 2022):
        project.write(f"reports/{year}/市民政局.md", report_text(year=year, title=f"{year}年述职", body=body))
    project.write("reports/2022/市财政局.md", report_text(unit="市财政局", secretary="李四", body=body))  # no title
    linked = "# 述职报告\n\n见[去年](../2021/市民政局.md)。\n"
    project.write("reports/2021/区教育局.md", report_text(2021, "区教育局", "王五", linked, title="链接"))
    project.write("reports/2020/市财政局.md", report_text(2020, "市财政局", "李四", TRICKY_BODY, title="全"))
    first = build_site(project.path, tmp_path / "first")
    second = build_site(project.path, tmp_path / "second")
    monkeypatch.setenv("ARCHIVE_CACHE_DIR", "off")
    third = build_site(project.path, tmp_path / "third")
    assert first.returncode == second.returncode == third.returncode == 0, first.stderr + second.stderr + third.stderr
    pages = sum(_conversions(first))  # (the second process may have converted some reports of the first)
    converted, kept = _conversions(second)
    # the four titled reports and the search page (a title, no links) are kept; the untitled report,
    # the one with a link to another report and the other pages are converted again
    assert kept == 5 and converted == pages - 5
    assert _conversions(third) == (pages, 0)
    assert tree_differences(tmp_path / "first", tmp_path / "second") == []
    assert tree_differences(tmp_path / "first", tmp_path / "third") == []
    compilation = (tmp_path / "first" / "years" / "2020" / "汇编" / "index.html").read_text(encoding="utf-8")
    assert 'class="admonition note"' in compilation and "&lt;script&gt;" in compilation
    page = (tmp_path / "second" / "reports" / "2021" / "市民政局" / "index.html").read_text(encoding="utf-8")
    assert 'href="#problems"' in page and 'id="fn:1"' in page and 'class="md-nav__link"' in page


def test_a_kept_conversion_keeps_its_broken_anchor_a_warning(tmp_path):
    """The anchors a page links to in itself are checked as after a conversion: strict fails again."""
    project = Project(tmp_path / "project", UNITS)
    body = "# 述职报告\n\n见[问题](#没有这一节)。\n"
    project.write("reports/2022/市民政局.md", report_text(title="2022年述职", body=body))
    for attempt in range(2):
        result = build_site(project.path, tmp_path / f"site-{attempt}")
        assert result.returncode != 0 and "没有这一节" in result.stderr, attempt
    assert _conversions(result)[1] == 2  # the report and the search page (no links, a title)


def test_a_report_pages_markdown_is_known_as_its_reports_text(tmp_path, monkeypatch):
    """The text MkDocs reads for a report page (without the blank lines after the front matter) is
    known as the report's, so its conversion can stand for the compilation's; other text is not."""
    from mkdocs.config import load_config
    from mkdocs.structure.files import File
    from mkdocs.structure.pages import Page

    from report_archive import site

    project = Project(tmp_path / "project", UNITS)
    _archive(project)
    monkeypatch.setenv("ARCHIVE_CACHE_DIR", "off")
    build = site.Build.start(project.docs, project.path, tmp_path / "site")
    config = load_config(str(project.path / "mkdocs.yml"))
    path = "reports/2021/市民政局.md"
    page = Page(None, File(path, str(project.docs), config.site_dir, config.use_directory_urls), config)
    page.read_source(config)
    assert page.markdown != build.archive.get(path).body  # MkDocs drops the blank line after the front matter
    assert build.page_markdown(path, page.markdown) == page.markdown and path in build.as_body
    other = "reports/2022/市民政局.md"
    assert build.page_markdown(other, page.markdown) == page.markdown and other not in build.as_body


@pytest.mark.parametrize("with_search", [True, False])
def test_a_full_build_starts_its_search_index_once_the_last_report_page_is_converted(
    tmp_path, monkeypatch, with_search
):
    """Not at ``on_env``: the index's child process then works while the generated pages are converted.
    Without a search index nothing is started."""
    from report_archive import pages, search, site

    project = Project(tmp_path / "project", UNITS)
    _archive(project)
    monkeypatch.setenv("ARCHIVE_CACHE_DIR", "off")
    written = []
    monkeypatch.setattr(site.Build, "_write_index", lambda self, docs, out: written.append((list(docs), out)))
    build = site.Build.start(project.docs, project.path, tmp_path / "site", with_search=with_search)
    *first, last = build.archive.reports
    for report in first:
        build.report_html(report, pages.page_url(report.path), f"<p>{report.unit}{report.year}</p>")
    assert build._index_job is None and not written
    build.report_html(last, pages.page_url(last.path), "<p>最后一份</p>")
    if not with_search:
        assert build._index_job is None
        return
    build._index_job.result(60)
    ((docs, out),) = written
    assert out == tmp_path / "site" / search.INDEX_DIR
    assert [d.url for d in docs] == [pages.page_url(r.path) for r in build.archive.reports]
    assert "最后一份" in docs[-1].text
    build.index_ahead()  # what on_env does then: nothing more
    assert len(written) == 1


def test_the_search_index_starts_once_the_second_process_has_converted_the_reports_left(tmp_path, monkeypatch):
    """A full build whose second process converted every report the main process had not reached: the
    index starts when the main process sees it done, with the fields the pages will give, before the
    main process goes through those pages."""
    from report_archive import site
    from report_archive.converted import Converted
    from report_archive.export.html import converted_text

    project = Project(tmp_path / "project", UNITS)
    _archive(project)
    monkeypatch.setenv("ARCHIVE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(site, "_LATER", True)  # ``mkdocs build``: a second process helps
    written = []
    monkeypatch.setattr(site.Build, "_write_index", lambda self, docs, out: written.append(list(docs)))
    archive = load_archive(project.docs, project.path / "units.yml")
    order = [r.path for r in archive.reports]

    def convert(src: str) -> tuple[str, Converted, str]:
        report = archive.get(src)
        return converted_text(report), Converted(f"<p>{report.unit}{report.year}</p>", [], frozenset(), {}), src[:-3]

    ahead = site.ConvertingAhead(order, convert)
    ahead.reached(order[0])  # the main process is at the first report: the second one converts the rest
    build = site.Build.start(project.docs, project.path, tmp_path / "site", ahead=ahead)
    first = build.archive.reports[0]
    build.report_html(first, first.path[:-3], f"<p>{first.unit}{first.year}</p>")
    assert build.waiting is not None and build._index_job is None
    deadline = time.monotonic() + 60
    while not build.waiting.done() and time.monotonic() < deadline:
        time.sleep(0.05)
    second = build.archive.reports[1]
    build.page_markdown(second.path, converted_text(second))  # ... and the next: it sees the other done
    assert build.waiting is None and build._index_job is not None
    build._index_job.result(60)
    assert [d.url for d in written[0][1:]] == [src[:-3] for src in order[1:]]  # from the second process
    expected = site._text_work(Cache(None), second, second.path[:-3], f"<p>{second.unit}{second.year}</p>")[2]
    assert build.state.search[second.path] == expected
    assert site.search.StoredDoc(*expected[:5], str(tmp_path / "cache"), expected[6]) == written[0][1]


def test_the_second_process_converts_reports_from_the_last_until_the_main_process_reaches_them(tmp_path):
    """``ConvertingAhead`` in a forked process, with a stand-in for MkDocs' conversion: it stops at the
    report the main process reached and keeps only what the main process would (no warning, the
    report's own text, no link to another file), with its allowlisted HTML and search text."""
    import logging
    import multiprocessing

    from report_archive import site
    from report_archive.converted import Conversions, Converted
    from report_archive.export.html import converted_text, report_fragment

    project = Project(tmp_path / "project", UNITS)
    _archive(project)
    cache = Cache(tmp_path / "cache")
    archive = load_archive(project.docs, project.path / "units.yml", cache)
    order = [r.path for r in archive.reports]  # 2020 甲 乙, 2021 甲 乙, 2022 甲 乙
    asked = multiprocessing.get_context("fork").Queue()

    def convert(src: str) -> tuple[str, Converted, str]:
        asked.put(src)
        report = archive.get(src)
        html = f"<p>{report.unit}{report.year} ahead</p><script>x()</script>"
        if src == order[4]:
            html += '<a href="../../2021/市民政局/">去年</a>'  # links to another file
        if src == order[3]:
            logging.getLogger("mkdocs.structure.pages").warning("转换时的警告")
        text = converted_text(report) + ("。" if src == order[2] else "")  # not the report's text
        return text, Converted(html, [], frozenset(), {}), f"reports/{report.year}/{report.unit}/"

    ahead = site.ConvertingAhead(order, convert)
    ahead.reached(order[1])  # the main process is converting the second report
    running = forked.start(lambda: ahead.run(archive, Conversions(cache, "setup"), True), "test", "失败")
    assert running is not None
    fields = running()
    assert [asked.get(timeout=5) for _ in range(4)] == order[5:1:-1] and asked.empty()
    later = Conversions(cache, "setup")
    kept = [src for src in order if later.before(src, converted_text(archive.get(src)), titled=True)]
    assert kept == [order[5]]
    last = archive.get(order[5])
    # the search fields of what it kept, as the main process would take them from the page
    html = f"<p>{last.unit}{last.year} ahead</p><script>x()</script>"
    assert fields == {order[5]: site._text_work(Cache(None), last, f"reports/2022/{last.unit}/", html)[2]}
    assert report_fragment(last, cache) == f"<p>{last.unit}{last.year} ahead</p>"  # allowlisted, from the page
    other = archive.get(order[4])
    assert "ahead" not in report_fragment(other, cache)  # converted as the compilation does
