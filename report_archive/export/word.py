"""Reports -> .docx in the official format: pandoc with the reference document, then python-docx.

pandoc turns the reports' Markdown into Word paragraphs with the reference document's styles
(``#`` the title, ``##`` 一、, ``###`` （一）, ``####`` 1., ``#####`` （1））. python-docx then sets
what pandoc cannot: the page setup and grid of every section, page numbers ``— 1 —`` at the
outer bottom corner (odd pages right, even pages left), no number on a compilation's cover, and
no page break before the first page.

Report text is untrusted: pandoc reads it as Markdown without raw HTML, raw OOXML or TeX
(nothing in a report can reach the document's XML as markup) and runs with ``--sandbox`` (no
file or network access, so an image link fetches nothing); nothing passes through a shell.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import tempfile
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

from ..importer.pandoc import pandoc_path
from ..model import Report, heading_text
from ..pages import esc
from . import reference
from .selection import Selection

TIMEOUT = 600  # seconds for one pandoc run (a year of a few hundred reports takes seconds)
# Markdown as the site reads it, without anything that could carry markup or fetch a file.
READER = "-".join(
    (
        "markdown",
        *("smart", "raw_html", "raw_attribute", "raw_tex", "latex_macros", "tex_math_dollars"),
        *("tex_math_single_backslash", "citations", "subscript", "superscript", "yaml_metadata_block"),
        *("pandoc_title_block", "implicit_figures", "example_lists", "fancy_lists", "line_blocks"),
        *("auto_identifiers", "native_spans", "definition_lists"),
    )
)

_TITLE_RE = re.compile(r"^#[ \t]+\S")
_DATE_RE = re.compile(r"^[（(]?\s*(?:\d{4}|[〇○零一二三四五六七八九]{4})\s*年[^。；;]{1,8}月[^。；;]{1,8}日")
_MARKS_RE = re.compile(r"[*_\\]")
BYLINE_MAX = 60  # characters: longer paragraphs are text, not a speaker line or a date


class ExportError(Exception):
    """The export failed; the message is for the user, in Chinese."""


def _plain(block: str) -> str:
    return _MARKS_RE.sub("", " ".join(block.split())).strip()


def _is_byline(block: str, report: Report) -> bool:
    """A speaker line (naming the reporting person) or a date line, short and not a heading."""
    text = _plain(block)
    if not text or block.lstrip().startswith(("#", "|", "<", ">", "-", ":::")) or len(text) > BYLINE_MAX:
        return False
    return report.secretary in text or bool(_DATE_RE.match(text))


def _styled(block: str, style: str) -> str:
    return f'::: {{custom-style="{style}"}}\n{block}\n:::'


def report_markdown(report: Report) -> str:
    """A report's Markdown for pandoc: its title as ``#``, the speaker line and date styled where they stand.

    Lines right under the title keep their place, centred (楷体); lines at the very end keep
    theirs, right-aligned. A report whose text has no ``#`` title gets its title from the metadata.
    """
    blocks = [b for b in re.split(r"\n[ \t]*\n", report.body.strip("\n")) if b.strip()]
    titled = [i for i, b in enumerate(blocks) if _TITLE_RE.match(b)]
    if not titled:
        blocks.insert(0, f"# {esc(report.title)}")
        start = 1
    else:
        start = titled[0] + 1
    index = start
    while index < len(blocks) and _is_byline(blocks[index], report):
        blocks[index] = _styled(blocks[index], reference.BYLINE)
        index += 1
    end = len(blocks)
    while end - 1 > index and _is_byline(blocks[end - 1], report):
        end -= 1
        blocks[end] = _styled(blocks[end], reference.SIGNATURE)
    return "\n\n".join(blocks) + "\n"


def contents_line(report: Report, with_year: bool) -> str:
    parts = ([f"{report.year}年"] if with_year else []) + [report.unit, report.secretary, report.title]
    return " · ".join(parts)


def compilation_markdown(selection: Selection, today: dt.date) -> str:
    """Cover (title, years, number of reports, export date), contents, then every report."""
    with_year = len({r.year for r in selection.reports}) > 1
    cover = [_styled(esc(selection.title), reference.COVER_TITLE)]
    if selection.subtitle:
        cover.append(_styled(esc(selection.subtitle), reference.COVER_LINE))
    cover.append(_styled(f"共 {len(selection.reports)} 份报告", reference.COVER_LINE))
    cover.append(_styled(f"导出日期：{today.year}年{today.month}月{today.day}日", reference.COVER_LINE))
    contents = [_styled("目　录", reference.CONTENTS_TITLE)]
    contents += [_styled(esc(contents_line(r, with_year)), reference.CONTENTS_ENTRY) for r in selection.reports]
    return "\n\n".join(cover + contents + [report_markdown(r) for r in selection.reports])


def run_pandoc(markdown: str) -> bytes:
    """pandoc's .docx of ``markdown`` with the reference document."""
    with tempfile.TemporaryDirectory(prefix="export-") as folder:
        source, target = Path(folder) / "source.md", Path(folder) / "out.docx"
        source.write_text(markdown, encoding="utf-8")
        (Path(folder) / "reference.docx").write_bytes(reference.reference_bytes())
        command = [
            pandoc_path(),
            *("+RTS", "-M4g", "-RTS"),
            "--sandbox",
            *("--from", READER, "--to", "docx"),
            "--reference-doc=reference.docx",
            *("-o", str(target)),
            str(source),
        ]
        try:
            result = subprocess.run(command, capture_output=True, timeout=TIMEOUT, cwd=folder, check=False)
        except subprocess.TimeoutExpired as exc:
            raise ExportError(f"转换为 Word 超时（超过 {TIMEOUT} 秒）。") from exc
        if result.returncode != 0 or not target.exists():
            reason = result.stderr.decode("utf-8", "replace").strip()[:300]
            raise ExportError(f"pandoc 转换为 Word 失败：{reason}")
        return target.read_bytes()


def _field_run(paragraph, kind: str, text: str = "") -> None:
    run = paragraph.add_run()
    if kind == "instr":
        element = OxmlElement("w:instrText")
        element.set(qn("xml:space"), "preserve")
        element.text = text
    else:
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
    run._r.append(element)


def page_number(paragraph, alignment) -> None:
    """``— N —`` in 4号 宋体 with N a PAGE field, one character in from the outer edge."""
    paragraph.alignment = alignment
    fmt = paragraph.paragraph_format
    fmt.first_line_indent = Pt(0)
    if alignment == WD_ALIGN_PARAGRAPH.RIGHT:
        fmt.right_indent = reference.PAGE_NUMBER_SIZE
    else:
        fmt.left_indent = reference.PAGE_NUMBER_SIZE
    paragraph.add_run("— ")
    _field_run(paragraph, "begin")
    _field_run(paragraph, "instr", " PAGE ")
    _field_run(paragraph, "separate")
    paragraph.add_run("1")
    _field_run(paragraph, "end")
    paragraph.add_run(" —")
    for run in paragraph.runs:
        reference.set_fonts(run, reference.NUMBER_FONT, reference.PAGE_NUMBER_SIZE)


def _footer(footer, alignment) -> None:
    footer.is_linked_to_previous = False
    paragraphs = footer.paragraphs
    paragraph = paragraphs[0] if paragraphs else footer.add_paragraph()
    for extra in paragraphs[1:]:
        extra._p.getparent().remove(extra._p)
    for child in list(paragraph._p):
        if child.tag != qn("w:pPr"):
            paragraph._p.remove(child)
    page_number(paragraph, alignment)


def finish(data: bytes, *, cover: bool, title: str, author: str = "", subject: str = "") -> bytes:
    """What pandoc cannot set: page setup and grid, page numbers, the first page, properties."""
    document = Document(io.BytesIO(data))
    document.settings.odd_and_even_pages_header_footer = True
    for section in document.sections:
        reference.setup_section(section)
        section.different_first_page_header_footer = cover
        _footer(section.footer, WD_ALIGN_PARAGRAPH.RIGHT)
        _footer(section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)
        if cover:
            first = section.first_page_footer
            first.is_linked_to_previous = False
    body = document.paragraphs
    if body:
        body[0].paragraph_format.page_break_before = False  # no empty page before the first
    properties = document.core_properties
    properties.title, properties.author, properties.subject = title, author, subject
    properties.last_modified_by = "述职报告档案"
    properties.comments = ""
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def report_docx(report: Report) -> bytes:
    """One report as a Word file in the official format."""
    data = run_pandoc(report_markdown(report))
    return finish(data, cover=False, title=report.title, author=report.secretary, subject=report.unit)


def compilation_docx(selection: Selection, today: dt.date) -> bytes:
    """A compilation: cover, contents, every report from a new page."""
    data = run_pandoc(compilation_markdown(selection, today))
    return finish(data, cover=True, title=selection.title)


__all__ = ["ExportError", "compilation_docx", "heading_text", "report_docx"]
