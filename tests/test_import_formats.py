"""Every format gives one and the same report: .docx, and .doc/.rtf/.odt/.html made by LibreOffice.

LibreOffice is required (``make system`` and CI install libreoffice-writer-nogui): these tests
fail, never skip, without it.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import docx
import pypandoc
import pytest
from conftest import SEED
from word_tools import CHINESE_LIST, numbering, p, word

from report_archive.importer import convert, read_bytes
from report_archive.importer.legacy import soffice

FIELDS = {"unit": "市民政局", "secretary": "张三"}
FORMATS = ("doc", "rtf", "odt", "html")


def libreoffice(source: Path, fmt: str) -> Path:
    program = soffice()
    assert program, "LibreOffice is needed: apt-get install libreoffice-writer-nogui"
    profile = (source.parent / "profile").as_uri()
    command = [program, f"-env:UserInstallation={profile}", "--headless", "--convert-to", fmt]
    subprocess.run(
        [*command, "--outdir", str(source.parent / fmt), str(source)],
        capture_output=True,
        timeout=180,
        check=True,
    )
    return source.parent / fmt / f"{source.stem}.{fmt}"


def report(data: bytes, name: str) -> str:
    return convert("", FIELDS, reading=read_bytes(data, name)).text


@pytest.fixture(scope="module")
def seed_docx(tmp_path_factory) -> Path:
    document = docx.Document()
    for line in SEED.read_text(encoding="utf-8").splitlines():
        document.add_paragraph(line)
    path = tmp_path_factory.mktemp("seed") / "seed.docx"
    document.save(path)
    return path


@pytest.mark.parametrize("fmt", FORMATS)
def test_seed_as_every_libreoffice_format_gives_the_text_report(seed_docx, fmt):
    expected = convert(SEED.read_text(encoding="utf-8"), FIELDS).text
    assert report(seed_docx.read_bytes(), "seed.docx") == expected
    converted = libreoffice(seed_docx, fmt)
    assert report(converted.read_bytes(), converted.name) == expected


def test_seed_as_epub_and_html_written_by_pandoc(tmp_path):
    expected = convert(SEED.read_text(encoding="utf-8"), FIELDS).text
    paragraphs = "".join(f"<p>{line}</p>" for line in SEED.read_text(encoding="utf-8").splitlines() if line)
    html = f"<html><head><meta charset='gb2312'><title>t</title></head><body>{paragraphs}</body></html>"
    assert report(html.encode("gb18030"), "seed.htm") == expected
    epub = tmp_path / "seed.epub"
    pypandoc.convert_text(html, "epub", format="html", outputfile=str(epub), extra_args=["--metadata=title:x"])
    # The book's title page ('x') comes first in an EPUB; from the first section on, all is equal.
    first = "## 一、履职情况"
    assert report(epub.read_bytes(), "seed.epub").split(first, 1)[1] == expected.split(first, 1)[1]


# Not .rtf: LibreOffice writes the label '一、' into RTF as '一?' (its own export), which the
# import keeps as written (the lossless check passes) but no longer reads as a heading label.
@pytest.mark.parametrize("fmt", ("doc", "odt"))
def test_word_numbering_survives_libreoffice_formats(tmp_path, fmt):
    body = p("2022年度市民政局党组书记述职报告") + p("市民政局党组书记 张三") + p("2022年，我认真履职。")
    body += p("履职情况", num=(1, 0)) + p("注重基础", num=(1, 1)) + p("加强学习", num=(1, 2))
    body += p("存在的问题", num=(1, 0)) + p("思路不开阔", num=(1, 1))
    source = tmp_path / "numbered.docx"
    source.write_bytes(word(body, numbering_xml=numbering((0, CHINESE_LIST))))
    expected = report(source.read_bytes(), source.name)
    assert "## 二、存在的问题" in expected and "#### 1.加强学习" in expected
    converted = libreoffice(source, fmt)
    assert report(converted.read_bytes(), converted.name) == expected


def test_legacy_without_libreoffice_names_the_package(monkeypatch, seed_docx):
    from report_archive.importer import legacy

    doc = libreoffice(seed_docx, "doc")
    monkeypatch.setattr(legacy.shutil, "which", lambda name: None)
    with pytest.raises(Exception, match="libreoffice-writer-nogui"):
        read_bytes(doc.read_bytes(), "old.doc")


def test_wps_named_file_is_read():
    assert shutil.which("soffice") or shutil.which("libreoffice")
    data = io.BytesIO()
    docx.Document().save(data)
    with pytest.raises(Exception, match=r"文件为空|缺少"):
        convert("", FIELDS, reading=read_bytes(data.getvalue(), "空白.wps"))
