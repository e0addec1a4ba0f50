"""The reference document: GB/T 9704-2012 (党政机关公文格式) as Word styles and page setup.

Built by the project from pandoc's own default reference document (so every style pandoc uses
exists), restyled with python-docx. Fonts are named, not embedded: the readers' Word has them.

- A4; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm;
- 22 lines of 28 characters: a document grid (``docGrid``) of line pitch 225 mm / 22 and a
  character pitch of 156 mm / 28;
- title 方正小标宋简体 2号 (22 pt) centred; body 仿宋_GB2312 3号 (16 pt);
- ``一、`` headings 黑体 3号, ``（一）`` headings 楷体_GB2312 3号, ``1.`` and ``（1）`` in the body font;
- page numbers 4号 (14 pt) ``— 1 —`` at the outer bottom corner (set by :mod:`.word`).
"""

from __future__ import annotations

import functools
import io
import subprocess

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from ..importer.pandoc import pandoc_path

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"  # 一、
SUBHEADING_FONT = "楷体_GB2312"  # （一）
LATIN_FONT = "Times New Roman"
NUMBER_FONT = "宋体"  # page numbers

TITLE_SIZE = Pt(22)  # 2号
BODY_SIZE = Pt(16)  # 3号
PAGE_NUMBER_SIZE = Pt(14)  # 4号
COVER_SIZE = Pt(26)  # 1号

PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
TOP, BOTTOM, LEFT, RIGHT = Mm(37), Mm(35), Mm(28), Mm(26)
LINES, CHARS = 22, 28
FOOTER_DISTANCE = Mm(28)  # page numbers sit 7 mm below the text block (GB/T 9704-2012 7.5)

# Custom styles the compilation and the speaker lines use (pandoc's custom-style attribute).
COVER_TITLE = "Cover Title"
COVER_LINE = "Cover Line"
CONTENTS_TITLE = "Contents Title"
CONTENTS_ENTRY = "Contents Entry"
BYLINE = "Byline"  # speaker line and date under the title: centred, as in the source
SIGNATURE = "Signature Line"  # speaker and date at the end: right-aligned, as in the source

# Paragraph styles of the body text (pandoc's names).
BODY_STYLES = ("Normal", "Body Text", "First Paragraph", "Compact", "Block Text", "Footnote Text")
# Style name -> (East Asian font, size, alignment, first-line indent in characters, bold).
HEADINGS = {
    "Heading 1": (TITLE_FONT, TITLE_SIZE, WD_ALIGN_PARAGRAPH.CENTER, 0, False),
    "Heading 2": (HEADING_FONT, BODY_SIZE, None, 2, False),
    "Heading 3": (SUBHEADING_FONT, BODY_SIZE, None, 2, False),
    "Heading 4": (BODY_FONT, BODY_SIZE, None, 2, False),
    "Heading 5": (BODY_FONT, BODY_SIZE, None, 2, False),
    "Heading 6": (BODY_FONT, BODY_SIZE, None, 2, False),
}


def line_pitch() -> int:
    """The grid's line pitch in twentieths of a point: the text height over 22 lines."""
    return int((PAGE_HEIGHT - TOP - BOTTOM) / LINES / 635)


def char_space() -> int:
    """``docGrid/@w:charSpace``: how much each character cell differs from the body size, in 1/4096 pt."""
    pitch = (PAGE_WIDTH - LEFT - RIGHT) / CHARS / 12700  # points per character
    return round((pitch - BODY_SIZE.pt) * 4096)


def set_fonts(element, east_asian: str, size: Pt | None = None, bold: bool | None = None) -> None:
    """Name the East Asian and Latin fonts (and size, weight) of a style or run properties owner."""
    font = element.font
    font.name = LATIN_FONT
    r_pr = element.element.get_or_add_rPr()
    fonts = r_pr.get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attribute), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), east_asian)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    if size is not None:
        font.size = size
    if bold is not None:
        font.bold = bold
        font.italic = False
    font.color.rgb = RGBColor(0, 0, 0)


def _paragraph(style, indent_chars: int, alignment=None, snap: bool = True) -> None:
    fmt = style.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE  # one grid line
    fmt.alignment = alignment if alignment is not None else WD_ALIGN_PARAGRAPH.JUSTIFY
    fmt.first_line_indent = BODY_SIZE * indent_chars if indent_chars else Pt(0)
    p_pr = style.element.get_or_add_pPr()
    ind = p_pr.find(qn("w:ind"))
    if ind is not None and indent_chars:
        ind.set(qn("w:firstLineChars"), str(indent_chars * 100))
    if not snap:
        grid = p_pr.makeelement(qn("w:snapToGrid"), {qn("w:val"): "0"})
        p_pr.append(grid)


def _style(document, name: str, base: str = "Normal"):
    from docx.enum.style import WD_STYLE_TYPE

    styles = document.styles
    if name in [s.name for s in styles]:
        return styles[name]
    style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = styles[base]
    style.quick_style = True
    return style


def _pandoc_default() -> bytes:
    result = subprocess.run(
        [pandoc_path(), "--print-default-data-file", "reference.docx"], capture_output=True, check=True, timeout=60
    )
    return result.stdout


def build_reference() -> bytes:
    """The reference document's bytes."""
    document = Document(io.BytesIO(_pandoc_default()))
    defaults = document.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:  # the defaults name theme fonts; the styles below name real ones
        defaults.getparent().remove(defaults)
    for name in BODY_STYLES:
        style = _style(document, name)
        set_fonts(style, BODY_FONT, BODY_SIZE, bold=False)
        _paragraph(style, 0 if name in ("Compact", "Footnote Text") else 2)
    for name, (font, size, alignment, indent, bold) in HEADINGS.items():
        style = _style(document, name)
        set_fonts(style, font, size, bold)
        _paragraph(style, indent, alignment)
        style.paragraph_format.keep_with_next = True
    document.styles["Heading 1"].paragraph_format.page_break_before = True
    document.styles["Heading 1"].paragraph_format.space_after = Pt(line_pitch() / 20)
    for name, font, size, alignment, indent in (
        (COVER_TITLE, TITLE_FONT, COVER_SIZE, WD_ALIGN_PARAGRAPH.CENTER, 0),
        (COVER_LINE, SUBHEADING_FONT, BODY_SIZE, WD_ALIGN_PARAGRAPH.CENTER, 0),
        (CONTENTS_TITLE, HEADING_FONT, BODY_SIZE, WD_ALIGN_PARAGRAPH.CENTER, 0),
        (CONTENTS_ENTRY, BODY_FONT, BODY_SIZE, WD_ALIGN_PARAGRAPH.LEFT, 0),
        (BYLINE, SUBHEADING_FONT, BODY_SIZE, WD_ALIGN_PARAGRAPH.CENTER, 0),
        (SIGNATURE, BODY_FONT, BODY_SIZE, WD_ALIGN_PARAGRAPH.RIGHT, 0),
    ):
        style = _style(document, name)
        set_fonts(style, font, size, bold=False)
        _paragraph(style, indent, alignment)
    document.styles[COVER_TITLE].paragraph_format.space_before = Pt(line_pitch() / 20 * 6)
    document.styles[COVER_TITLE].paragraph_format.space_after = Pt(line_pitch() / 20 * 2)
    document.styles[CONTENTS_TITLE].paragraph_format.page_break_before = True
    document.styles[CONTENTS_TITLE].paragraph_format.space_after = Pt(line_pitch() / 20)
    for name in ("Title", "Subtitle"):
        set_fonts(_style(document, name), TITLE_FONT, TITLE_SIZE, bold=False)
    setup_section(document.sections[0])
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def setup_section(section) -> None:
    """A4, the margins and the 22 × 28 grid on one section."""
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin, section.bottom_margin = TOP, BOTTOM
    section.left_margin, section.right_margin = LEFT, RIGHT
    section.footer_distance = FOOTER_DISTANCE
    section.header_distance = Mm(15)
    sect_pr = section._sectPr
    grid = sect_pr.find(qn("w:docGrid"))
    if grid is None:
        grid = sect_pr.makeelement(qn("w:docGrid"), {})
        sect_pr.append(grid)
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), str(line_pitch()))
    grid.set(qn("w:charSpace"), str(char_space()))


@functools.cache
def reference_bytes() -> bytes:
    """The reference document, built once per process (each conversion writes it into its own
    temporary folder, which goes with the conversion)."""
    return build_reference()
