"""Folders and manifests say everything: every file and every manifest row gets a line."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT
from word_tools import p, word

REPORT = "2022年度述职报告\n市民政局党组书记 张三\n正文。\n"


def _import(*args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, str(ROOT / "scripts" / "import_reports.py"), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


def _rows(result: subprocess.CompletedProcess) -> dict[str, tuple[str, str]]:
    rows = [line.split(None, 2) for line in result.stdout.splitlines()[1:] if line.split(None, 1)[0] in "导入跳过失败"]
    return {r[1]: (r[0], r[2] if len(r) > 2 else "") for r in rows}


def test_every_file_of_a_folder_is_in_the_summary(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(REPORT, encoding="utf-8")
    (folder / "b.docx").write_bytes(word(p("2021年度述职报告") + p("市民政局局长 李四") + p("正文。")))
    (folder / "~$b.docx").write_bytes(b"lock")
    (folder / ".hidden.txt").write_text(REPORT, encoding="utf-8")
    (folder / "表格.xls").write_bytes(b"x")
    (folder / "扫描件.pdf").write_bytes(b"%PDF-1.4")
    (folder / "坏.docx").write_bytes(b"PK\x03\x04broken")
    units = tmp_path / "units.yml"
    units.write_text("- name: 市民政局\n", encoding="utf-8")
    result = _import(str(folder), "--unit", "市民政局", "--out", str(tmp_path / "out"), "--units", str(units))
    rows = _rows(result)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert rows["a.txt"][0] == "导入" and rows["b.docx"][0] == "导入"
    assert rows["~$b.docx"] == ("跳过", "Word 打开文件时留下的临时锁定文件，不是报告。")
    assert rows[".hidden.txt"] == ("跳过", "隐藏文件，不导入。")
    assert rows["表格.xls"][0] == "跳过" and "不支持的文件类型" in rows["表格.xls"][1]
    assert rows["扫描件.pdf"][0] == "跳过" and "PDF" in rows["扫描件.pdf"][1]
    assert rows["坏.docx"][0] == "失败" and "已损坏" in rows["坏.docx"][1]
    assert result.stdout.splitlines()[-1] == "合计：导入 2，跳过 4，失败 1"


def test_manifest_rows_each_get_a_message(tmp_path):
    folder = tmp_path / "旧报告"
    (folder / "市民政局").mkdir(parents=True)
    (folder / "市民政局" / "2004.txt").write_text(REPORT.replace("2022", "2004"), encoding="utf-8")
    (folder / "表.xls").write_bytes(b"x")
    (folder / "b.txt").write_text(REPORT, encoding="utf-8")
    manifest = tmp_path / "清单.csv"
    manifest.write_text(
        "path,year,unit,secretary\n"
        "旧报告\\市民政局\\2004.txt,2004,市民政局,张三\n"
        "旧报告/缺失.docx,2005,市民政局,张三\n"
        "旧报告/b.txt,2022,市民政局,张三\n"
        "旧报告/b.txt,2022,市民政局,李四\n"
        "旧报告/表.xls,2006,新单位,王五\n",
        encoding="utf-8",
    )
    units = tmp_path / "units.yml"
    units.write_text("- name: 市民政局\n", encoding="utf-8")
    args = ["--manifest", str(manifest), "--out", str(tmp_path / "out"), "--units", str(units), "--add-units"]
    result = _import(str(folder), *args)
    out = result.stdout
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert (tmp_path / "out" / "2004" / "市民政局.md").exists()  # the backslash path matched
    lines = out.splitlines()
    assert any(
        line.startswith("失败") and "清单第 3 行（旧报告/缺失.docx）" in line and "找不到此文件" in line
        for line in lines
    )
    assert "清单第 4 行和第 5 行指向同一文件" in out
    assert "清单第 6 行（旧报告/表.xls）：不支持的文件类型" in out
    assert "新单位" not in units.read_text(encoding="utf-8")  # only units of written reports


def test_missing_manifest_is_a_chinese_message(tmp_path):
    (tmp_path / "a.txt").write_text(REPORT, encoding="utf-8")
    result = _import(str(tmp_path / "a.txt"), "--manifest", str(tmp_path / "无.csv"), "--out", str(tmp_path))
    assert result.returncode == 2 and "找不到清单文件" in result.stderr and "Errno" not in result.stderr
