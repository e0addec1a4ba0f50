"""Prepare a .docx for pandoc: numbering labels as text, heading levels from styles, notes.

pandoc reads OOXML well but turns Word's automatic numbering into lists without the labels a
reader sees, and takes Title/Author/Date paragraphs out of the body into metadata. This step
writes a copy of the package where every numbered paragraph starts with its label, every heading
(by style name, ``basedOn`` chain or outline level) uses one style pandoc knows, and the title
styles are plain paragraphs. It also notes tracked changes and comments for the summary.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field

from lxml import etree

from .numbering import Numbering, attr
from .wordclean import clean
from .wordxml import NS, in_fallback, open_package, parse_part, read_part, wtag

_HEADING_NAME = re.compile(r"^(?:heading|标题)\s*([1-9])$", re.IGNORECASE)
# Styles pandoc moves out of the body into document metadata.
_META_STYLES = {"title", "subtitle", "author", "date", "abstract", "标题", "副标题"}
_TRACKED = ("ins", "del", "moveFrom", "moveTo")
HEADING_STYLE = "ArchiveHeading{}"


@dataclass
class Style:
    name: str = ""
    based_on: str | None = None
    num: tuple[str, int] | None = None  # (numId, ilvl) from the style's own numPr
    outline: int | None = None


@dataclass
class Prepared:
    """The package to hand to pandoc and what was learned on the way."""

    data: bytes
    labels: list[str] = field(default_factory=list)
    tracked: bool = False
    comments: int = 0


def _num_pr(ppr: etree._Element | None) -> tuple[str | None, int | None]:
    num = None if ppr is None else ppr.find("w:numPr", NS)
    if num is None:
        return None, None
    ilvl = attr(num.find("w:ilvl", NS))
    return attr(num.find("w:numId", NS)), int(ilvl) if ilvl is not None else None


def parse_styles(root: etree._Element | None) -> dict[str, Style]:
    styles: dict[str, Style] = {}
    for element in [] if root is None else root.findall("w:style", NS):
        ppr = element.find("w:pPr", NS)
        num_id, ilvl = _num_pr(ppr)
        outline = attr(None if ppr is None else ppr.find("w:outlineLvl", NS))
        styles[attr(element, "styleId") or ""] = Style(
            name=(attr(element.find("w:name", NS)) or "").strip(),
            based_on=attr(element.find("w:basedOn", NS)),
            num=(num_id, ilvl or 0) if num_id else None,
            outline=int(outline) if outline is not None and outline.isdigit() else None,
        )
    return styles


def _chain(styles: dict[str, Style], style_id: str | None) -> list[Style]:
    chain: list[Style] = []
    while style_id in styles and len(chain) < 20:
        chain.append(styles[style_id])
        style_id = styles[style_id].based_on
    return chain


def heading_level(styles: dict[str, Style], style_id: str | None, ppr: etree._Element | None) -> int | None:
    """Outline level 1..9 of a paragraph from its own outlineLvl, its style name or style chain."""
    own = attr(None if ppr is None else ppr.find("w:outlineLvl", NS))
    if own is not None and own.isdigit():
        return int(own) + 1 if int(own) < 9 else None
    for style in _chain(styles, style_id):
        match = _HEADING_NAME.match(style.name)
        if match:
            return int(match.group(1))
        if style.outline is not None:
            return style.outline + 1 if style.outline < 9 else None
    return None


def _numbering_of(styles: dict[str, Style], style_id: str | None, ppr) -> tuple[str, int] | None:
    num_id, ilvl = _num_pr(ppr)
    if num_id is not None:
        inherited = next((s.num for s in _chain(styles, style_id) if s.num), None)
        return (num_id, ilvl if ilvl is not None else inherited[1] if inherited else 0)
    inherited = next((s.num for s in _chain(styles, style_id) if s.num), None)
    return (inherited[0], ilvl if ilvl is not None else inherited[1]) if inherited else None


def _set_style(ppr: etree._Element, style_id: str | None) -> None:
    for old in ppr.findall("w:pStyle", NS):
        ppr.remove(old)
    if style_id:
        element = etree.SubElement(ppr, wtag("pStyle"))
        element.set(wtag("val"), style_id)
        ppr.insert(0, element)


def _insert_label(paragraph: etree._Element, ppr: etree._Element, label: str) -> None:
    for old in ppr.findall("w:numPr", NS):
        ppr.remove(old)
    num = etree.SubElement(ppr, wtag("numPr"))  # numId 0: no numbering, also not the style's
    etree.SubElement(num, wtag("ilvl")).set(wtag("val"), "0")
    etree.SubElement(num, wtag("numId")).set(wtag("val"), "0")
    run = etree.Element(wtag("r"))
    text = etree.SubElement(run, wtag("t"))
    text.text = label
    paragraph.insert(paragraph.index(ppr) + 1, run)


def _prepare_paragraph(paragraph, styles, numbering: Numbering, labels: list[str]) -> None:
    ppr = paragraph.find("w:pPr", NS)
    if ppr is None:
        ppr = etree.Element(wtag("pPr"))
        paragraph.insert(0, ppr)
    style_id = attr(ppr.find("w:pStyle", NS))
    level = heading_level(styles, style_id, ppr)
    name = styles[style_id].name.lower() if style_id in styles else ""
    if level is not None:
        _set_style(ppr, HEADING_STYLE.format(min(level, 6)))
    elif name in _META_STYLES:
        _set_style(ppr, None)
    num = _numbering_of(styles, style_id, ppr)
    if num and num[0] in numbering.lists and not numbering.is_bullet(*num) and not in_fallback(paragraph):
        label = numbering.label(*num)
        if label:
            labels.append(label)
            _insert_label(paragraph, ppr, label)


def _heading_styles(root: etree._Element) -> None:
    """Add the heading styles pandoc recognises (by name 'heading N') to styles.xml."""
    for n in range(1, 7):
        style = etree.SubElement(root, wtag("style"))
        style.set(wtag("type"), "paragraph")
        style.set(wtag("styleId"), HEADING_STYLE.format(n))
        etree.SubElement(style, wtag("name")).set(wtag("val"), f"heading {n}")


def prepare_docx(data: bytes) -> Prepared:
    package = open_package(data)
    document = parse_part(package, "word/document.xml")
    styles_root = parse_part(package, "word/styles.xml")
    if styles_root is None:
        styles_root = etree.fromstring(b'<w:styles xmlns:w="%s"/>' % NS["w"].encode())
    styles = parse_styles(styles_root)
    numbering = Numbering.parse(read_part(package, "word/numbering.xml"))
    prepared = Prepared(data=b"")
    clean(document)
    for paragraph in document.iter(wtag("p")):
        _prepare_paragraph(paragraph, styles, numbering, prepared.labels)
    prepared.tracked = any(True for tag in _TRACKED for _ in document.iter(wtag(tag)))
    comments = parse_part(package, "word/comments.xml")
    prepared.comments = 0 if comments is None else len(comments.findall("w:comment", NS))
    _heading_styles(styles_root)
    replaced = {"word/document.xml": document, "word/styles.xml": styles_root}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
        for info in package.infolist():
            if info.filename in replaced:
                continue
            copy.writestr(info, read_part(package, info.filename) or b"")
        for name, root in replaced.items():
            copy.writestr(name, etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))
    prepared.data = out.getvalue()
    return prepared
