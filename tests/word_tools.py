"""Word documents built for the import tests: python-docx for the package, direct XML for the body."""

from __future__ import annotations

import io
import re
import zipfile

import docx

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NAMESPACES = (
    f'xmlns:w="{W_NS}" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:v="urn:schemas-microsoft-com:vml"'
)
FOOTNOTE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"
COMMENT_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments"
TYPES = "application/vnd.openxmlformats-officedocument.wordprocessingml.{}+xml"


def p(text: str = "", style: str = "", num: tuple[int, int] | None = None, runs: str = "") -> str:
    """One paragraph: a style id, automatic numbering (numId, ilvl), plain text and/or raw runs."""
    ppr = f'<w:pStyle w:val="{style}"/>' if style else ""
    if num:
        ppr += f'<w:numPr><w:ilvl w:val="{num[1]}"/><w:numId w:val="{num[0]}"/></w:numPr>'
    body = f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>' if text else ""
    return f"<w:p><w:pPr>{ppr}</w:pPr>{body}{runs}</w:p>"


def run(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>'


def level(ilvl: int, fmt: str, text: str, start: int = 1, restart: int | None = None) -> str:
    again = f'<w:lvlRestart w:val="{restart}"/>' if restart is not None else ""
    return (
        f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/>{again}'
        f'<w:lvlText w:val="{text}"/></w:lvl>'
    )


def numbering(*lists: tuple[int, str], nums: dict[int, str] | None = None) -> str:
    """abstractNum elements (id, levels XML) and nums (numId -> abstractNumId plus overrides)."""
    abstract = "".join(f'<w:abstractNum w:abstractNumId="{i}">{levels}</w:abstractNum>' for i, levels in lists)
    nums = nums or {i + 1: f'<w:abstractNumId w:val="{i}"/>' for i, _ in lists}
    instances = "".join(f'<w:num w:numId="{n}">{inner}</w:num>' for n, inner in nums.items())
    return f'<w:numbering xmlns:w="{W_NS}">{abstract}{instances}</w:numbering>'


CHINESE_LIST = (
    level(0, "chineseCounting", "%1、")
    + level(1, "chineseCounting", "（%2）")
    + level(2, "decimal", "%3.")
    + level(3, "decimal", "（%4）")
)


def word(
    body: str,
    *,
    numbering_xml: str = "",
    styles: str = "",
    footnotes: str = "",
    comments: str = "",
) -> bytes:
    """A .docx whose body is ``body`` (paragraph and table XML), with optional extra parts."""
    buffer = io.BytesIO()
    docx.Document().save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    parts = {name: source.read(name) for name in source.namelist()}
    document = parts["word/document.xml"].decode()
    sect = re.search(r"<w:sectPr.*</w:sectPr>", document, re.DOTALL).group(0)
    parts["word/document.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document {NAMESPACES}>'
        f"<w:body>{body}{sect}</w:body></w:document>"
    ).encode()
    if numbering_xml:
        parts["word/numbering.xml"] = numbering_xml.encode()
    if styles:
        parts["word/styles.xml"] = parts["word/styles.xml"].replace(b"</w:styles>", styles.encode() + b"</w:styles>")
    extra = {"footnotes": (footnotes, FOOTNOTE_REL), "comments": (comments, COMMENT_REL)}
    for name, (xml, rel) in extra.items():
        if not xml:
            continue
        parts[f"word/{name}.xml"] = f'<w:{name} xmlns:w="{W_NS}">{xml}</w:{name}>'.encode()
        rels = parts["word/_rels/document.xml.rels"]
        parts["word/_rels/document.xml.rels"] = rels.replace(
            b"</Relationships>",
            f'<Relationship Id="rIdX{name}" Type="{rel}" Target="{name}.xml"/>'.encode() + b"</Relationships>",
        )
        override = f'<Override PartName="/word/{name}.xml" ContentType="{TYPES.format(name)}"/>'
        parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
            b"</Types>", override.encode() + b"</Types>"
        )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            package.writestr(name, data)
    return out.getvalue()


def style(style_id: str, name: str, based_on: str = "", outline: int | None = None) -> str:
    based = f'<w:basedOn w:val="{based_on}"/>' if based_on else ""
    ppr = f'<w:pPr><w:outlineLvl w:val="{outline}"/></w:pPr>' if outline is not None else ""
    return f'<w:style w:type="paragraph" w:styleId="{style_id}"><w:name w:val="{name}"/>{based}{ppr}</w:style>'
