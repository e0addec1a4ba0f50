"""The importer end to end: every kind of input, the corpus, the command line."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import docx
import pytest
from conftest import CORPUS, ROOT, SEED

from report_archive.importer import ImportFailure, convert, read_bytes, read_text_file

FIELDS = {"unit": "市民政局", "secretary": "张三"}


def _docx(paragraphs: list[str]) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _import(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "import_reports.py"), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_seed_as_text_gb18030_utf16_crlf_and_docx_give_the_same_report():
    text = SEED.read_text(encoding="utf-8")
    expected = convert(text, FIELDS).text
    variants = {
        "utf-8.txt": text.encode("utf-8"),
        "bom.txt": b"\xef\xbb\xbf" + text.encode("utf-8"),
        "gb18030.txt": text.encode("gb18030"),
        "utf-16.txt": text.encode("utf-16"),
        "crlf.txt": text.replace("\n", "\r\n").encode("utf-8"),
        "seed.docx": _docx(text.splitlines()),
    }
    for name, data in variants.items():
        assert convert(read_text_file(data, name), FIELDS).text == expected, name


def test_docx_headings_emphasis_lists_and_tables():
    document = docx.Document()
    document.add_paragraph("2022年述职报告")
    document.add_heading("一、履职情况", level=1)
    paragraph = document.add_paragraph()
    paragraph.add_run("重点").bold = True
    paragraph.add_run("工作和")
    paragraph.add_run("说明").italic = True
    document.add_paragraph("第一项", style="List Bullet")
    table = document.add_table(rows=2, cols=2)
    for (row, col), value in {(0, 0): "项目", (0, 1): "数量", (1, 0): "党员", (1, 1): "200"}.items():
        table.cell(row, col).text = value
    buffer = io.BytesIO()
    document.save(buffer)
    body = convert("", FIELDS, reading=read_bytes(buffer.getvalue(), "a.docx")).body
    assert body.startswith("# 2022年述职报告\n")
    assert "\n## 一、履职情况\n" in body
    assert "**重点**工作和*说明*" in body
    assert "\n- 第一项\n" in body
    table = [re.sub(r" +", " ", row) for row in body.splitlines() if row.startswith("|")]
    assert table == ["| 项目 | 数量 |", "|------|------|", "| 党员 | 200 |"]


@pytest.mark.parametrize(
    ("name", "data", "fragment"),
    [
        ("a.txt", b"", "文件为空"),
        ("a.txt", b"  \n\r\n", "文件为空"),
        ("a.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "二进制"),
        ("a.doc", b"\xd0\xcf\x11\xe0whatever", "LibreOffice 无法转换此文件"),
        ("a.txt", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "LibreOffice 无法转换此文件"),
        ("a.docx", b"PK\x03\x04not really a zip", "已损坏"),
        ("a.docx", b"PK\x03\x04word/document.xml", "已损坏"),
        ("a.htm", b"\x00\x01", "二进制"),
    ],
)
def test_unreadable_inputs_say_why(name, data, fragment):
    with pytest.raises(ImportFailure, match=fragment):
        read_text_file(data, name)


def test_missing_year_and_unit_name_the_keys_and_options():
    with pytest.raises(ImportFailure) as failure:
        convert("一些文字，没有标题。\n", {})
    message = str(failure.value)
    assert "年份（year）" in message and "--year" in message and "--pattern" in message
    assert "单位（unit）" in message and "--unit" in message
    assert "报告人（secretary）" in message and "--secretary" in message


def test_corpus_with_a_path_pattern(tmp_path):
    units = tmp_path / "units.yml"
    units.write_text("- name: 国务院\n- name: 浙江省\n- name: 广东省\n- name: 四川省\n", encoding="utf-8")
    out = tmp_path / "reports"
    result = _import(str(CORPUS), "--pattern", "{unit}/{year}.md", "--out", str(out), "--units", str(units))
    assert result.returncode == 1  # some files cannot be imported
    rows = [line.split(None, 2) for line in result.stdout.splitlines()[1:-1]]
    imported = [r for r in rows if r[0] == "导入"]
    failed = {r[1].split("corpus/")[-1]: r[2] for r in rows if r[0] == "失败"}
    assert len(rows) == 10
    assert len(imported) == 7 and len(list(out.rglob("*.md"))) == 7
    # Every failure is a report whose opening lines name no speaker.
    assert set(failed) == {"国务院/1964-part.md", "四川省/2003.md", "浙江省/1990.md"}
    assert all("缺少 报告人（secretary）" in reason for reason in failed.values())
    assert (out / "1964" / "国务院-summary.md").exists()
    assert "secretary: 周恩来" in (out / "1954" / "国务院.md").read_text(encoding="utf-8")
    assert result.stdout.splitlines()[-1] == "合计：导入 7，跳过 0，失败 3"


def test_dry_run_writes_nothing(tmp_path):
    units = tmp_path / "units.yml"
    units.write_text("- name: 国务院\n", encoding="utf-8")
    out = tmp_path / "reports"
    args = ["--pattern", "{unit}/{year}.md", "--out", str(out), "--units", str(units), "--add-units", "--dry-run"]
    result = _import(str(CORPUS / "广东省"), *args)
    assert "将导入" in result.stdout and "没有写入任何文件" in result.stdout
    assert not (out / "2010" / "广东省.md").exists()
    assert units.read_text(encoding="utf-8") == "- name: 国务院\n"


def test_one_word_file_with_flags_then_never_overwritten(tmp_path):
    source = tmp_path / "述职.docx"
    source.write_bytes(_docx(SEED.read_text(encoding="utf-8").splitlines()))
    units = tmp_path / "units.yml"
    units.write_text("- name: 市民政局\n", encoding="utf-8")
    out = tmp_path / "reports"
    args = [str(source), "--unit", "市民政局", "--secretary", "张三", "--position", "党组书记"]
    args += ["--out", str(out), "--units", str(units)]
    assert _import(*args).returncode == 0
    target = out / "2022" / "市民政局.md"
    first = target.read_bytes()
    assert b"position: \xe5\x85\x9a\xe7\xbb\x84\xe4\xb9\xa6\xe8\xae\xb0" in first
    target.write_text("手工改过", encoding="utf-8")
    again = _import(*args)
    assert again.returncode == 0 and "跳过" in again.stdout and "--force" in again.stdout
    assert target.read_text(encoding="utf-8") == "手工改过"
    assert _import(*args, "--force").returncode == 0
    assert target.read_bytes() == first  # byte-identical output
    assert not list(target.parent.glob(".import-*"))  # no temporary files left behind


def test_folder_with_a_manifest(tmp_path):
    folder = tmp_path / "旧报告"
    folder.mkdir()
    (folder / "a.txt").write_text("述职报告\n一、履职情况\n正文。\n", encoding="gb18030")
    (folder / "b.txt").write_text("2021年述职报告\n正文。\n", encoding="utf-8")
    manifest = tmp_path / "清单.csv"
    manifest.write_text(
        "path,year,unit,secretary,position,title,date\n"
        "旧报告/a.txt,2022,市民政局,张三,党组书记,2022年述职报告,2023-01-12\n"
        "旧报告/b.txt,2021,市财政局,李四,,,\n",
        encoding="utf-8",
    )
    units = tmp_path / "units.yml"
    units.write_text("- name: 市民政局\n- name: 市财政局\n", encoding="utf-8")
    out = tmp_path / "reports"
    result = _import(str(folder), "--manifest", str(manifest), "--out", str(out), "--units", str(units))
    assert result.returncode == 0, result.stdout + result.stderr
    first = (out / "2022" / "市民政局.md").read_text(encoding="utf-8")
    assert "secretary: 张三" in first and "date: 2023-01-12" in first and "title: 2022年述职报告" in first
    assert "## 一、履职情况" in first
    assert "secretary: 李四" in (out / "2021" / "市财政局.md").read_text(encoding="utf-8")


def test_manifest_without_required_columns_is_refused(tmp_path):
    manifest = tmp_path / "m.csv"
    manifest.write_text("path,year\nx.txt,2022\n", encoding="utf-8")
    (tmp_path / "x.txt").write_text("x", encoding="utf-8")
    result = _import(str(tmp_path / "x.txt"), "--manifest", str(manifest), "--out", str(tmp_path / "o"))
    assert result.returncode == 2 and "缺少列：unit、secretary" in result.stderr


def test_help_is_in_chinese():
    result = _import("--help")
    assert result.returncode == 0 and "清单文件" in result.stdout and "示例" in result.stdout


def test_bench_import_runs_on_different_documents():
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "bench_import.py"), "3"], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "导入 3 份 .docx" in result.stdout and "0 份未导入" in result.stdout
