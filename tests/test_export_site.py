"""The export in the site and at publish time: the compilation page, its links, printing, downloads."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import sys

import pytest
from conftest import ROOT, Project, report_text, serve
from docx import Document
from html_tools import page_file, parse, resolve

from report_archive import load_archive
from report_archive.cache import Cache
from report_archive.export import select_year
from report_archive.export.downloads import write_downloads
from report_archive.export.html import print_parts
from report_archive.export.pdf import print_joined, print_pdf

# Written in an order unlike units.yml's (市民政局, 市财政局, 区教育局) and unlike the file names'.
REPORTS = {
    "区教育局": ("李四", "2022年区教育局党组书记述职报告"),
    "市民政局": ("张三", "2022年市民政局党组书记述职报告"),
    "市财政局": ("王五", "2022年市财政局党组书记述职报告"),
}


def _body(title: str, secretary: str) -> str:
    paragraph = f"{title[5:9]}坚持把党建工作放在首位，推动各项工作落地见效。" * 30
    return (
        f"# {title}\n\n党组书记 {secretary}\n\n各位领导、同志们：\n\n"
        f"## 一、履职情况\n\n### （一）抓学习\n\n{paragraph}\n\n## 二、存在的问题\n\n{paragraph}\n"
    )


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Project:
    project = Project(tmp_path_factory.mktemp("export") / "project")
    for unit, (secretary, title) in REPORTS.items():
        project.write(
            f"reports/2022/{unit}.md", report_text(unit=unit, secretary=secretary, body=_body(title, secretary))
        )
    project.write("reports/2021/市民政局.md", report_text(year=2021, body=_body("2021年市民政局述职报告", "张三")))
    result = project.build()
    assert result.returncode == 0, result.stderr
    return project


ORDER = ["市民政局", "市财政局", "区教育局"]
TITLES = [REPORTS[u][1] for u in ORDER]


def _positions(text: str, needles: list[str]) -> list[int]:
    return [text.index(n) for n in needles]


def test_compilation_page_is_built_and_linked(project):
    site = project.path / "site"
    compilation = page_file(site, "/years/2022/汇编/")
    text = compilation.read_text(encoding="utf-8")
    positions = _positions(text, TITLES)
    assert positions == sorted(positions)  # registry order
    assert "共 3 份报告" in text and "目　录" in text
    assert text.count('class="compilation-report"') == 3
    # its stylesheet and icon are the site's own files (a browser asks for /favicon.ico without the icon link)
    head = [a for tag, a in parse(compilation).tags if tag == "link"]
    assert sorted(a["rel"] for a in head) == ["icon", "stylesheet"]
    assert all(resolve(site, compilation, a["href"]).is_file() for a in head)
    year = page_file(site, "/years/2022/")
    links = {a["href"]: a for tag, a in parse(year).tags if tag == "a" and "href" in a}
    assert any(resolve(site, year, href) == compilation for href in links)
    (word,) = [a for a in links.values() if a["href"].endswith(".docx")]
    assert resolve(site, year, word["href"]) == site / "downloads" / "years" / "2022.docx"
    assert word["download"].endswith("汇编.docx")
    report = page_file(site, "/reports/2022/市民政局/")
    hrefs = [a["href"] for tag, a in parse(report).tags if tag == "a" and "report-header__word" in a.get("class", "")]
    assert [resolve(site, report, h) for h in hrefs] == [site / "downloads" / "reports" / "2022" / "市民政局.docx"]
    assert "下载 Word" in report.read_text(encoding="utf-8")
    assert not (site / "downloads").exists()  # written at publish time, not by the build


def _pdf_text(pdf) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def test_compilation_page_prints_on_a4_with_page_numbers_and_a_page_per_report(project, browser, tmp_path):
    pdf = tmp_path / "2022.pdf"
    with serve(project.path / "site") as base:
        print_pdf([(base + "/years/2022/%E6%B1%87%E7%BC%96/", pdf)], browser)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "(A4)" in info
    pages = _pdf_text(pdf).split("\f")
    # Which page each title heads (the contents lists them too, with unit and reporter).
    heads = [next(i for i, p in enumerate(pages) if p.strip().startswith(title)) for title in TITLES]
    assert heads == sorted(heads) and len(set(heads)) == 3
    assert "2022年度述职报告汇编" in pages[0] and "共 3 份报告" in pages[0]
    assert not re.search(r"—\s*1\s*—", pages[0])  # no number on the cover
    assert re.search(r"—\s*2\s*—", pages[1]) and re.search(r"—\s*3\s*—", pages[2])
    for navigation in ("按年份", "编辑指南", "下载本年度汇编"):
        assert navigation not in "".join(pages)


def _run_export(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "export.py"), *args], capture_output=True, text=True, timeout=300
    )


def test_cli_exports_a_demo_year_as_pdf_docx_and_html(tmp_path):
    archive = load_archive(ROOT / "docs", ROOT / "units.yml")
    selection = select_year(archive, 2022)
    for fmt in ("pdf", "docx", "html"):
        result = _run_export("--year", "2022", "--format", fmt, "--out", str(tmp_path))
        assert result.returncode == 0, result.stderr
        assert "已导出 5 份报告，1 个文件" in result.stdout
    text = _pdf_text(tmp_path / f"{selection.stem}.pdf")
    titles = [r.title for r in selection.reports]
    found, start = [], 0
    for title in titles:  # every title, in registry order, after the contents
        start = text.index(title, start + 1)
        found.append(start)
    assert found == sorted(found)
    document = Document(tmp_path / f"{selection.stem}.docx")
    assert [p.text for p in document.paragraphs if p.style.name == "Heading 1"] == titles
    html = (tmp_path / f"{selection.stem}.html").read_text(encoding="utf-8")
    assert "<script" not in html and "http" not in html.split("</style>")[0]  # nothing loaded from elsewhere


def test_cli_messages_and_exit_codes(tmp_path):
    missing = _run_export("--year", "1900", "--out", str(tmp_path))
    assert missing.returncode == 1 and "档案中没有 1900 年的报告" in missing.stderr
    both = _run_export("--year", "2022", "--unit", "国务院")
    assert both.returncode == 2 and "请只用一种方式选择报告" in both.stderr
    outside = _run_export(str(ROOT / "README.md"))
    assert outside.returncode == 1 and "不在报告目录" in outside.stderr
    helped = _run_export("--help")
    assert helped.returncode == 0 and "--each" in helped.stdout and "公文格式" in helped.stdout


def test_publish_downloads_convert_only_what_changed(project, tmp_path):
    cache, site = Cache(tmp_path / "cache"), tmp_path / "release"
    archive = load_archive(project.docs, project.path / "units.yml")
    first = write_downloads(archive, site, cache)
    files = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.docx"))
    assert files == [
        "downloads/reports/2021/市民政局.docx",
        *(f"downloads/reports/2022/{u}.docx" for u in sorted(REPORTS)),
        "downloads/years/2021.docx",
        "downloads/years/2022.docx",
    ]
    assert (first.converted, first.reused) == (6, 0)
    year = Document(io.BytesIO((site / "downloads/years/2022.docx").read_bytes()))
    assert [p.text for p in year.paragraphs if p.style.name == "Heading 1"] == TITLES
    before = {f: (site / f).read_bytes() for f in files}

    again = write_downloads(archive, tmp_path / "next", cache)
    assert (again.converted, again.reused) == (0, 6)
    assert {f: (tmp_path / "next" / f).read_bytes() for f in files} == before

    changed = project.docs / "reports/2022/市财政局.md"
    original = changed.read_text(encoding="utf-8")
    try:
        changed.write_text(original.replace("各位领导、同志们：", "各位领导：", 1), encoding="utf-8")
        edited = load_archive(project.docs, project.path / "units.yml")
        third = write_downloads(edited, tmp_path / "third", cache)
    finally:
        changed.write_text(original, encoding="utf-8")
    assert (third.converted, third.reused) == (2, 4)  # the report and its year's compilation
    unchanged = "downloads/reports/2022/市民政局.docx"
    assert (tmp_path / "third" / unchanged).read_bytes() == before[unchanged]

    for entry in (tmp_path / "cache").rglob("*"):  # a damaged cache costs time, never a wrong file
        if entry.is_file():
            entry.write_bytes(entry.read_bytes()[:-1] + b"x")
    fourth = write_downloads(archive, tmp_path / "fourth", cache)
    assert fourth.converted == 6


def test_a_long_compilation_prints_in_parts_with_running_page_numbers(browser, tmp_path):
    """Printed in parts (Chromium slows down on very long documents), joined: numbers run on, outer corner."""
    archive = load_archive(ROOT / "docs", ROOT / "units.yml")
    selection = select_year(archive, 2022)
    css = (ROOT / "overrides" / "assets" / "compilation.css").read_text(encoding="utf-8")
    parts = print_parts(selection, dt.date(2026, 11, 28), css, budget=30_000)
    assert len(parts) >= 3
    pdf = tmp_path / "joined.pdf"
    print_joined(parts, pdf, browser)
    pages = _pdf_text(pdf).split("\f")[:-1]
    assert not re.search(r"—\s*\d+\s*—", pages[0])  # the cover
    for number, page in enumerate(pages[1:], 2):
        last = [line for line in page.splitlines() if line.strip()][-1]
        found = re.fullmatch(r"(\s*)—\s*(\d+)\s*—\s*", last)
        assert found and int(found.group(2)) == number, (number, last)
        indented = len(found.group(1)) > 10  # odd pages right, even pages left
        assert indented == bool(number % 2), (number, last)
    titles = [r.title for r in selection.reports]
    heads = [i for i, page in enumerate(pages) if page.strip().startswith(tuple(titles))]
    assert len(heads) == len(titles)  # each report starts a page
