"""Independent extraction of a document's visible text, to prove that an import lost nothing.

This reads the source package directly (not through pandoc): for Word, the text runs of
document.xml with deletions removed and insertions kept, each text box once, plus footnotes and
endnotes; for OpenDocument, content.xml without tracked deletions and comments; for HTML and EPUB,
the text of the body.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from collections.abc import Iterator

import lxml.html
from lxml import etree

from .errors import ImportFailure
from .wordxml import MC_FALLBACK, NS, PARSER, open_package, parse_part, read_part, wtag

_SKIP_WORD = {wtag("del"), wtag("moveFrom"), MC_FALLBACK, wtag("instrText"), wtag("delText"), wtag("pPr")}
_NOTE_SKIP = {"separator", "continuationSeparator", "continuationNotice"}


def _word_text(element: etree._Element, boxes: list | None = None) -> Iterator[str]:
    """Text in reading order; a text box is read after the paragraph that anchors it."""
    for child in element:
        tag = child.tag
        if tag in _SKIP_WORD or not isinstance(tag, str):
            continue
        if tag == wtag("t"):
            yield child.text or ""
        elif tag in (wtag("tab"), wtag("br"), wtag("cr")):
            yield "\n"
        elif tag == wtag("txbxContent") and boxes is not None:
            boxes.append(child)
        elif tag == wtag("p"):
            held: list = []
            yield from _word_text(child, held)
            yield "\n"
            for box in held:
                yield from _word_text(box)
        else:
            yield from _word_text(child, boxes)


def docx_text(data: bytes) -> str:
    package = open_package(data)
    parts = [parse_part(package, "word/document.xml")]
    for name, tag in (("word/footnotes.xml", "footnote"), ("word/endnotes.xml", "endnote")):
        root = parse_part(package, name)
        if root is not None:
            parts += [n for n in root.findall(f"w:{tag}", NS) if n.get(wtag("type")) not in _NOTE_SKIP]
    return "".join(text for part in parts for text in _word_text(part))


_ODF_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_ODF_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_ODF_SKIP = {f"{{{_ODF_TEXT}}}tracked-changes", f"{{{_ODF_TEXT}}}note-citation", f"{{{_ODF_OFFICE}}}annotation"}


def _odf_text(element: etree._Element) -> Iterator[str]:
    if element.tag in _ODF_SKIP:
        return
    yield element.text or ""
    for child in element:
        if isinstance(child.tag, str):
            yield from _odf_text(child)
            if child.tag in (f"{{{_ODF_TEXT}}}p", f"{{{_ODF_TEXT}}}h"):
                yield "\n"
        yield child.tail or ""


def odt_text(data: bytes) -> str:
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
        root = etree.fromstring(read_part(package, "content.xml") or b"", PARSER)
    except (zipfile.BadZipFile, etree.XMLSyntaxError, ValueError) as exc:
        raise ImportFailure("无法读取 OpenDocument（.odt）文件：文件已损坏。") from exc
    body = root.find(f"{{{_ODF_OFFICE}}}body")
    return "".join(_odf_text(body)) if body is not None else ""


def html_text(data: bytes | str) -> str:
    try:
        root = lxml.html.document_fromstring(data)
    except (etree.ParserError, ValueError):
        return ""
    for element in root.xpath("//script|//style|//head|//template|//noscript"):
        element.drop_tree()
    for element in root.xpath("//br|//p|//div|//li|//tr|//h1|//h2|//h3|//h4|//h5|//h6"):
        element.tail = "\n" + (element.tail or "")
    return root.text_content()


def epub_text(data: bytes) -> str:
    """The text of an EPUB's content documents, in spine order."""
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
        container = etree.fromstring(read_part(package, "META-INF/container.xml") or b"", PARSER)
        opf_path = container.xpath("string(//*[local-name()='rootfile']/@full-path)")
        opf = etree.fromstring(read_part(package, opf_path) or b"", PARSER)
    except (zipfile.BadZipFile, etree.XMLSyntaxError, ValueError) as exc:
        raise ImportFailure("无法读取 EPUB 文件：文件已损坏。") from exc
    items = {i.get("id"): i.get("href") for i in opf.xpath("//*[local-name()='item']")}
    base = posixpath.dirname(opf_path)
    texts = []
    for ref in opf.xpath("//*[local-name()='itemref']/@idref"):
        href = items.get(ref)
        if href and any(part in href for part in ("title_page", "titlepage", "cover")):
            continue  # the book's title page repeats its metadata, which readers keep apart
        content = read_part(package, posixpath.join(base, href)) if href else None
        if content:
            texts.append(html_text(content))
    return "\n".join(texts)
