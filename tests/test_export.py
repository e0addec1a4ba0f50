"""Word export: the official format as python-docx reads it back, compilations, and the round trip.

The round trip exports every demo report as the publish step does (downloads/reports/<year>/<name>.docx)
and imports that folder back with the importer, in one batch.
"""

from __future__ import annotations

import datetime as dt
import io
import time
from pathlib import Path

import pytest
from conftest import ROOT, SEED, TRICKY_BODY, report_text
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from report_archive import load_archive
from report_archive.cache import Cache
from report_archive.export import select_year
from report_archive.export.downloads import write_downloads
from report_archive.export.html import report_fragment
from report_archive.export.reference import char_space, line_pitch
from report_archive.export.word import compilation_docx, report_docx
from report_archive.importer import ImportOptions, convert, read_bytes, read_text_file, run_import
from report_archive.model import Report

TODAY = dt.date(2026, 11, 28)
SEED_FIELDS = {"year": 2022, "unit": "市民政局", "secretary": "张三", "position": "党组书记"}

# Demo reports that do not come back byte for byte, and why. Every other demo report must.
NOT_EXACT = {
    # The source's heading level disagrees with its numbering: the importer derives the level
    # from 一、/（一）/1. (## 一、, ### （一）), the export keeps the source's level.
    "reports/1958/国务院.md": "heading level differs from its numbering",
    "reports/1982/国务院.md": "heading level differs from its numbering",
    "reports/1985/国务院.md": "heading level differs from its numbering",
    # A heading that ends with 。: the importer drops a heading's closing full stop.
    "reports/1984/国务院.md": "heading ending with 。 (and its level)",
    "reports/1986/国务院.md": "heading ending with 。",
    "reports/1987/国务院.md": "heading ending with 。",
    "reports/1988/国务院.md": "heading ending with 。",
    "reports/2002/国务院.md": "heading ending with 。",
    # A thematic break (---) carries no text; Word has no paragraph for it to come back as.
    "reports/1964/国务院-summary.md": "thematic break",
    "reports/2010/国务院.md": "thematic break",
    "reports/2012/国务院.md": "thematic break",
    # The title line carries the date and speaker (四川省政府工作报告（2020年5月9日 尹力）): the
    # importer reads them as metadata and shortens the title.
    "reports/2020/四川省.md": "title line with date and speaker; thematic break",
}


@pytest.fixture(scope="module")
def archive():
    return load_archive(ROOT / "docs", ROOT / "units.yml")


@pytest.fixture(scope="module")
def seed_report() -> Report:
    """The seed as the importer makes it (the demo's own path), then as the archive loads it."""
    draft = convert(read_text_file(SEED.read_bytes(), SEED.name), SEED_FIELDS)
    return Report(2022, "市民政局", "张三", "reports/2022/市民政局.md", meta=draft.meta, body=draft.body)


@pytest.fixture(scope="module")
def seed_docx(seed_report) -> Document:
    return Document(io.BytesIO(report_docx(seed_report)))


@pytest.fixture(scope="module")
def year_docx(archive) -> tuple[Document, object]:
    selection = select_year(archive, 2022)
    return Document(io.BytesIO(compilation_docx(selection, TODAY))), selection


def _east_asian(style) -> str:
    fonts = style.element.rPr.find(qn("w:rFonts"))
    return fonts.get(qn("w:eastAsia"))


def _near(length, millimetres: float) -> bool:
    return abs(length - Mm(millimetres)) < Mm(0.1)


def test_page_size_margins_and_grid(seed_docx, year_docx):
    for document in (seed_docx, year_docx[0]):
        for section in document.sections:
            assert _near(section.page_width, 210) and _near(section.page_height, 297)
            assert _near(section.top_margin, 37) and _near(section.bottom_margin, 35)
            assert _near(section.left_margin, 28) and _near(section.right_margin, 26)
            grid = section._sectPr.find(qn("w:docGrid"))
            assert grid.get(qn("w:type")) == "linesAndChars"
            # 22 lines in the 225 mm text height, 28 characters of 3号 in the 156 mm text width
            assert int(grid.get(qn("w:linePitch"))) == line_pitch() == 579
            assert abs(22 * line_pitch() / 20 - Mm(225).pt) < 1
            assert int(grid.get(qn("w:charSpace"))) == char_space()
            assert abs(28 * (16 + char_space() / 4096) - Mm(156).pt) < 0.5


@pytest.mark.parametrize(
    ("style", "font", "size"),
    [
        ("Heading 1", "方正小标宋简体", 22),
        ("Heading 2", "黑体", 16),
        ("Heading 3", "楷体_GB2312", 16),
        ("Heading 4", "仿宋_GB2312", 16),
        ("Heading 5", "仿宋_GB2312", 16),
        ("Body Text", "仿宋_GB2312", 16),
        ("First Paragraph", "仿宋_GB2312", 16),
        ("Byline", "楷体_GB2312", 16),
    ],
)
def test_fonts_and_sizes_per_style(seed_docx, style, font, size):
    found = seed_docx.styles[style]
    assert _east_asian(found) == font
    assert found.font.size == Pt(size)
    assert not found.font.bold


def test_title_centred_and_headings_by_numbering(seed_docx, seed_report):
    paragraphs = [p for p in seed_docx.paragraphs if p.text.strip()]
    title = paragraphs[0]
    assert title.text == seed_report.title and title.style.name == "Heading 1"
    assert seed_docx.styles["Heading 1"].paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert not title.paragraph_format.page_break_before  # no empty page before the first
    levels = {p.text: p.style.name for p in paragraphs}
    assert levels["一、履职情况"] == "Heading 2"
    assert levels["（一）注重基础抓学，狠抓整改优党建"] == "Heading 3"
    body = [p for p in paragraphs if p.style.name in ("Body Text", "First Paragraph")]
    assert len(body) > 5 and body[0].text.startswith("2022年，在上级党委正确领导下")


def test_page_numbers_at_the_outer_corner(seed_docx):
    assert seed_docx.settings.odd_and_even_pages_header_footer
    section = seed_docx.sections[0]
    for footer, alignment in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT), (section.even_page_footer, "left")):
        (paragraph,) = footer.paragraphs
        xml = paragraph._p.xml
        assert 'w:fldCharType="begin"' in xml and "<w:instrText" in xml and " PAGE " in xml
        assert paragraph.text == "— 1 —"  # the field's shown result between the dashes
        assert all(run.font.size == Pt(14) for run in paragraph.runs)  # 4号
        expected = WD_ALIGN_PARAGRAPH.LEFT if alignment == "left" else alignment
        assert paragraph.alignment == expected


def test_compilation_cover_contents_and_a_page_per_report(year_docx, archive):
    document, selection = year_docx
    paragraphs = [p for p in document.paragraphs if p.text.strip()]
    cover = [p.text for p in paragraphs if p.style.name in ("Cover Title", "Cover Line")]
    assert cover == [selection.title, "2022年", "共 5 份报告", "导出日期：2026年11月28日"]
    assert document.sections[0].different_first_page_header_footer  # no number on the cover
    contents_title = next(p for p in paragraphs if p.style.name == "Contents Title")
    assert document.styles["Contents Title"].paragraph_format.page_break_before
    assert contents_title.text == "目　录"
    entries = [p.text for p in paragraphs if p.style.name == "Contents Entry"]
    # registry order of units.yml, unit · reporter · title
    assert entries == [f"{r.unit} · {r.secretary} · {r.title}" for r in selection.reports]
    registry = [u.name for u in archive.registry.units]
    assert [r.unit for r in selection.reports] == sorted((r.unit for r in selection.reports), key=registry.index)
    titles = [p.text for p in paragraphs if p.style.name == "Heading 1"]
    assert titles == [r.title for r in selection.reports]
    assert document.styles["Heading 1"].paragraph_format.page_break_before  # each report on a new page


def test_speaker_line_and_date_stay_where_the_source_has_them(archive):
    report = archive.get("reports/2022/四川省.md")
    document = Document(io.BytesIO(report_docx(report)))
    paragraphs = [p for p in document.paragraphs if p.text.strip()]
    assert [p.text for p in paragraphs[:4]] == [
        "政府工作报告",
        "2022年1月18日在四川省第十三届人民代表大会第五次会议上",
        "四川省人民政府省长 黄强",
        "各位代表：",
    ]
    assert [p.style.name for p in paragraphs[1:4]] == ["Byline", "Byline", "Body Text"]
    assert document.styles["Byline"].paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER


def test_report_text_cannot_inject_markup():
    body = (
        "# 标题\n\n```{=openxml}\n<w:p><w:r><w:t>INJECTED</w:t></w:r></w:p>\n```\n\n"
        '<w:p><w:r><w:t>RAW</w:t></w:r></w:p>\n\n<img src="http://example.com/x.png" onerror="alert(1)">\n\n正文。\n'
    )
    report = Report(2022, "市民政局", "张三", "reports/2022/市民政局.md", meta={}, body=body)
    texts = [p.text for p in Document(io.BytesIO(report_docx(report))).paragraphs]
    assert "INJECTED" not in texts and "RAW" not in texts  # shown as text, never read as Word XML
    assert any("<w:t>INJECTED</w:t>" in t for t in texts)
    fragment = report_fragment(report)
    assert "onerror" not in fragment and "example.com" not in fragment


def test_seed_round_trip(seed_report, tmp_path):
    """The seed names no speaker in its text: the import is told who, as when it was first imported."""
    data = report_docx(seed_report)
    draft = convert("", SEED_FIELDS, reading=read_bytes(data, "市民政局.docx"))
    assert draft.meta == seed_report.meta
    assert draft.body == seed_report.body


def test_demo_archive_round_trip_through_the_published_downloads(archive, tmp_path):
    """Every demo report, exported as a publish does, imports back to the same file (with exceptions)."""
    cache, site = Cache(tmp_path / "cache"), tmp_path / "site"
    first = write_downloads(archive, site, cache, TODAY)
    assert first.converted == len(archive.reports) + len(archive.years) and first.reused == 0
    started = time.perf_counter()
    again = write_downloads(archive, site, cache, TODAY)
    assert again.converted == 0 and again.reused == first.converted
    assert time.perf_counter() - started < 2  # the publish-time target for an unchanged archive

    units = tmp_path / "units.yml"
    units.write_bytes((ROOT / "units.yml").read_bytes())
    out = tmp_path / "imported"
    by_kind: dict[str, list[Path]] = {}
    for report in archive.reports:
        docx = site / "downloads" / "reports" / report.path.removeprefix("reports/").replace(".md", ".docx")
        assert docx.is_file(), report.path
        by_kind.setdefault(report.kind, []).append(docx)
    outcomes = []
    for kind, sources in by_kind.items():
        given = {} if kind != "述职报告" else {"secretary": "张三", "position": "党组书记"}
        options = ImportOptions(out, units, given=given, pattern="{year}/{unit}.docx", kind=kind)
        outcomes += run_import(sources, options)
    failed = [(o.source, o.reason) for o in outcomes if o.status != "导入"]
    assert failed == []
    exact, different = [], []
    for report in archive.reports:
        original = (ROOT / "docs" / report.path).read_text(encoding="utf-8")
        back = (out / report.path.removeprefix("reports/")).read_text(encoding="utf-8")
        (exact if back == original else different).append(report.path)
    assert sorted(different) == sorted(NOT_EXACT)
    assert len(exact) == len(archive.reports) - len(NOT_EXACT)


def test_a_report_page_converts_as_the_compilation_does(tmp_path):
    """What lets a site build hand its report pages' HTML to the compilation (``keep_fragment``):
    MkDocs reads a report page's Markdown as ``converted_text`` gives it, and its conversion of a
    page that links to no other file equals the compilation's own."""
    from mkdocs.config import load_config
    from mkdocs.structure.files import File, Files
    from mkdocs.structure.pages import Page

    from report_archive.converted import self_contained
    from report_archive.export.html import _MARKDOWN, converted_text, same_markdown

    config = load_config(str(ROOT / "mkdocs.yml"))
    assert same_markdown(config.markdown_extensions, config.mdx_configs)
    assert not same_markdown([*config.markdown_extensions, "abbr"], config.mdx_configs)
    assert not same_markdown(config.markdown_extensions, config.mdx_configs | {"toc": {"permalink": True}})
    tricky = tmp_path / "docs" / "reports" / "2022" / "市民政局.md"
    tricky.parent.mkdir(parents=True)
    tricky.write_text(report_text(body=TRICKY_BODY), encoding="utf-8")
    (tmp_path / "units.yml").write_bytes((ROOT / "units.yml").read_bytes())
    sources = [(tmp_path / "docs", load_archive(tmp_path / "docs", tmp_path / "units.yml").reports)]
    sources.append((ROOT / "docs", load_archive(ROOT / "docs", ROOT / "units.yml").reports))
    checked = 0
    for docs, reports in sources:
        for report in reports:
            file = File(report.path, str(docs), config.site_dir, config.use_directory_urls)
            page = Page(None, file, config)
            page.read_source(config)
            assert page.markdown == converted_text(report)
            page.render(config, Files([file]))
            assert self_contained(page.content)
            assert page.content == _MARKDOWN.reset().convert(converted_text(report))
            checked += 1
    assert checked > 100


def test_ids_and_anchor_links_get_the_reports_prefix_at_word_boundaries_only():
    """``_prefixed`` renames as the regular expression ``\\b(id|href)="(#?)([^"]*)"`` would (its
    boundary is checked apart, for speed): random HTML-like text, and a few cases by hand."""
    import random
    import re

    from report_archive.export.html import _prefixed

    reference = re.compile(r'\b(id|href)="(#?)([^"]*)"')

    def expected(text: str, prefix: str) -> str:
        def rename(match: re.Match[str]) -> str:
            attribute, hash_, value = match.groups()
            if attribute == "id":
                return f'id="{prefix}{value}"'
            return f'href="#{prefix}{value}"' if hash_ else match.group(0)

        return reference.sub(rename, text)

    assert _prefixed('<h2 id="一">一</h2><a href="#一">x</a><a href="../a/">y</a>', "r-") == (
        '<h2 id="r-一">一</h2><a href="#r-一">x</a><a href="../a/">y</a>'
    )
    assert _prefixed('data-id="a" xid="b" 中id="c" _href="#d" -id="e"', "r-") == (
        'data-id="r-a" xid="b" 中id="c" _href="#d" -id="r-e"'
    )
    rng = random.Random(7)
    pieces = ['id="', 'href="', "#", '"', "=", "x", "中", "１", "_", "-", " ", "h", "ref", "i", "d", "<", ">"]
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 30)))
        assert _prefixed(text, "p-") == expected(text, "p-"), text
