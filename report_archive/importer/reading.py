"""Reading a source file of any supported kind into text for the archive's Chinese rules.

One path for every format: text files are decoded; Word, OpenDocument, RTF, HTML and EPUB go
through pandoc (Word after :mod:`.wordprep`); legacy Word/WPS files are first converted to .docx
by LibreOffice (:mod:`.legacy`). Each reading carries an independent extraction of the visible
text, so :mod:`.verify` can prove that nothing was lost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from . import extract
from .errors import ImportFailure
from .legacy import MISSING, convert_one, soffice
from .pandoc import run_pandoc
from .wordprep import prepare_docx

TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".text")
PANDOC_SUFFIXES = {
    ".docx": "docx",
    ".docm": "docx",
    ".dotx": "docx",
    ".dotm": "docx",
    ".odt": "odt",
    ".rtf": "rtf",
    ".html": "html",
    ".htm": "html",
    ".epub": "epub",
}
LEGACY_SUFFIXES = (".doc", ".wps", ".wpt", ".dot")
SUPPORTED = (*TEXT_SUFFIXES, *PANDOC_SUFFIXES, *LEGACY_SUFFIXES)
REFUSED = {
    ".pdf": "PDF 文件不导入：PDF 中的文字层常有错字、缺字和错乱的段落顺序。"
    "请用原始的 Word/WPS 文件导入，或把 PDF 在 Word 中打开、核对后另存为 .docx。",
}
OLE2 = b"\xd0\xcf\x11\xe0"
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")


@dataclass
class Reading:
    """A source as text lines plus what is needed to check and report the conversion."""

    text: str
    expected: str  # the source's visible text, extracted independently of the converter
    labels: list[str] = field(default_factory=list)  # numbering labels written into the text
    notes: list[str] = field(default_factory=list)  # for the summary: tracked changes, comments…
    expected_markdown: bool = False  # the expected text is itself Markdown (text sources)
    converted: bool = True  # written by a converter (its '#' headings come from styles)


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030/GBK; line ends normalised."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")
    elif b"\x00" in data:
        raise ImportFailure("文件看起来是二进制文件，不是文本。")
    else:
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ImportFailure("无法识别文件编码：请另存为 UTF-8 文本。")
    return text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")


def sniff(data: bytes, suffix: str) -> str:
    """The kind of a file from its first bytes, the suffix deciding only among text kinds."""
    if data.startswith(OLE2):
        return "legacy"
    if data.startswith(b"%PDF"):
        return ".pdf"
    if data.startswith(b"{\\rtf"):
        return "rtf"
    if data.startswith(b"PK"):
        if b"word/document.xml" in data:
            return "docx"
        if b"application/epub+zip" in data[:100]:
            return "epub"
        return "odt" if b"content.xml" in data else "zip"
    if suffix in (".html", ".htm") or re.match(rb"\s*<(!doctype html|html)", data[:200], re.IGNORECASE):
        return "html"
    return "broken" if suffix in LEGACY_SUFFIXES or suffix in PANDOC_SUFFIXES else "text"


def _notes(tracked: bool, comments: int, images: int) -> list[str]:
    notes = []
    if tracked:
        notes.append("有未接受的修订，已按全部接受导入")
    if comments:
        notes.append(f"{comments} 条批注未导入")
    if images:
        notes.append(f"{images} 张图片未导入")
    return notes


# With LibreOffice installed, these go through its .docx so that their automatic numbering keeps
# its labels (pandoc reads their lists as plain ordered lists).
VIA_WORD = {"rtf": "Rich Text Format", "odt": "writer8"}


def _through_pandoc(data: bytes, kind: str) -> Reading:
    if kind in VIA_WORD and soffice():
        reading = _through_pandoc(convert_one(data, "." + kind, VIA_WORD[kind]), "docx")
        reading.notes.append("已由 LibreOffice 转换为 .docx")
        return reading
    labels: list[str] = []
    tracked, comments = False, 0
    if kind == "docx":
        prepared = prepare_docx(data)
        expected = extract.docx_text(data)
        labels, tracked, comments = prepared.labels, prepared.tracked, prepared.comments
        text = run_pandoc(prepared.data, "docx", ".docx")
    elif kind == "html":
        html = decode_html(data)
        expected = extract.html_text(html)
        text = run_pandoc(html.encode("utf-8"), "html", ".html")
    else:
        if kind == "rtf":  # nothing independent of pandoc reads RTF here but LibreOffice
            raise ImportFailure("RTF 文件" + MISSING.removeprefix("需要"))
        expected = {"odt": extract.odt_text, "epub": extract.epub_text}[kind](data)
        text = run_pandoc(data, kind, "." + kind)
    images = len(_IMAGE.findall(text))
    return Reading(_IMAGE.sub("", text), expected, labels, _notes(tracked, comments, images))


def decode_html(data: bytes) -> str:
    """HTML bytes as text: the declared charset (gb2312 etc. read as GB18030), else UTF-8/GB18030."""
    declared = re.search(rb"""<meta[^>]+charset=["']?([\w-]+)""", data[:4096], re.IGNORECASE)
    if declared:
        name = declared.group(1).decode("ascii").lower()
        name = "gb18030" if name in ("gb2312", "gbk", "gb18030", "x-gbk") else name
        try:
            return data.decode(name)
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_text(data)


def read_bytes(data: bytes, name: str, converted: bytes | None = None) -> Reading:
    """Read one source; raises ImportFailure with the reason, in Chinese.

    ``converted`` is LibreOffice's .docx of a legacy file, when a batch converted it already.
    """
    suffix = Path(name).suffix.lower()
    if suffix in REFUSED:
        raise ImportFailure(REFUSED[suffix])
    if not data.strip():
        raise ImportFailure("文件为空。")
    kind = sniff(data, suffix)
    if kind in REFUSED:
        raise ImportFailure(REFUSED[kind])
    if kind == "legacy":
        reading = _through_pandoc(converted or convert_one(data, suffix), "docx")
        reading.notes.append("已由 LibreOffice 转换为 .docx")
        return reading
    if kind in ("zip", "broken"):
        raise ImportFailure(f"无法读取此文件：内容不是有效的 {suffix or '文档'} 格式，文件可能已损坏。")
    if kind != "text":
        return _through_pandoc(data, kind)
    text = decode_text(data)
    return Reading(text, text, expected_markdown=True, converted=False)
