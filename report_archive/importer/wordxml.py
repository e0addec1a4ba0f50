"""Safe access to the parts of an OOXML (Word) package: bounded sizes, no entities, no network."""

from __future__ import annotations

import io
import zipfile

from lxml import etree

from .errors import ImportFailure
from .numbering import NS, W

MAX_PART = 200 * 1024 * 1024  # a larger uncompressed part is refused (zip bombs)
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"


def open_package(data: bytes) -> zipfile.ZipFile:
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
        package.getinfo("word/document.xml")
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ImportFailure("无法读取 Word 文件：文件已损坏，或不是 .docx 格式。") from exc
    return package


def read_part(package: zipfile.ZipFile, name: str) -> bytes | None:
    """A part's bytes, or None when the package has no such part."""
    try:
        info = package.getinfo(name)
    except KeyError:
        return None
    if info.file_size > MAX_PART:
        raise ImportFailure(f"Word 文件中的 {name} 过大（{info.file_size // 2**20} MB），拒绝读取。")
    try:
        return package.read(info)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise ImportFailure(f"Word 文件中的 {name} 已损坏，无法读取。") from exc


def parse_part(package: zipfile.ZipFile, name: str) -> etree._Element | None:
    data = read_part(package, name)
    if data is None:
        return None
    try:
        return etree.fromstring(data, PARSER)
    except etree.XMLSyntaxError as exc:
        raise ImportFailure(f"Word 文件中的 {name} 不是有效的 XML，文件可能已损坏。") from exc


def in_fallback(element: etree._Element) -> bool:
    """Inside the legacy copy of a text box (mc:Fallback), which repeats the mc:Choice content."""
    return any(parent.tag == MC_FALLBACK for parent in element.iterancestors())


def wtag(name: str) -> str:
    return f"{{{W}}}{name}"


__all__ = ["NS", "PARSER", "W", "in_fallback", "open_package", "parse_part", "read_part", "wtag"]
