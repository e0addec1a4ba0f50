"""The converter behind the demo archive (the import issue grows it into the full importer)."""

from __future__ import annotations

import re

import pytest
from conftest import SEED

from report_archive.importer import (
    ImportOptions,
    convert,
    detect_meta,
    pattern_regex,
    read_text_file,
    run_import,
    structure_line,
)


def test_seed_headings():
    draft = convert(SEED.read_text(encoding="utf-8"), {"unit": "市民政局"} | {"secretary": "张三"})
    headings = re.findall(r"^(#+) (.+)$", draft.body, re.MULTILINE)
    assert headings[0] == ("#", "2022年党组织书记抓基层党建述职报告")
    level2 = [text for marks, text in headings if marks == "##"]
    level3 = [text for marks, text in headings if marks == "###"]
    assert level2 == ["一、履职情况", "二、存在的问题", "三、下一步工作思路"]
    assert level3[:3] == [
        "（一）注重基础抓学，狠抓整改优党建",
        "（二）创新工作机制，统筹全局抓党建",
        "（三）突出融合发展，纵深推进强党建",
    ]
    assert draft.meta["year"] == 2022 and draft.meta["title"] == "2022年党组织书记抓基层党建述职报告"
    assert "一是夯实基础深入“学”。" in draft.body  # the rest of the lead paragraph stays


def test_lead_sentence_becomes_heading_and_rest_stays():
    assert structure_line("（一）注重基础抓学，狠抓整改优党建。一是夯实基础。") == [
        "### （一）注重基础抓学，狠抓整改优党建",
        "一是夯实基础。",
    ]
    assert structure_line("一、履职情况") == ["## 一、履职情况"]
    assert structure_line("1.加强学习") == ["#### 1.加强学习"]
    assert structure_line("（1）完善制度") == ["##### （1）完善制度"]
    assert structure_line("一是抓学习。二是抓落实。") == ["一是抓学习。二是抓落实。"]


@pytest.mark.parametrize(
    ("line", "secretary", "position"),
    [
        ("国务院总理　周恩来", "周恩来", "国务院总理"),
        ("市民政局党组书记 张三", "张三", "市民政局党组书记"),
        ("浙江省省长吕祖善", "吕祖善", "浙江省省长"),
        ("四川省人民政府代省长 黄 强", "黄强", "四川省人民政府代省长"),
        ("国务委员兼国家计划委员会主任邹家华", "邹家华", "国务委员兼国家计划委员会主任"),
        ("（2009年1月12日 罗保铭）", "罗保铭", ""),
    ],
)
def test_speaker_lines(line, secretary, position):
    found = detect_meta(f"**政府工作报告**\n\n{line}\n\n各位代表：\n")
    assert (found.secretary, found.position) == (secretary, position)


def test_date_line():
    found = detect_meta("2020年政府工作报告\n——2020年1月12日在省十三届人大三次会议上\n省长 袁家军\n")
    assert str(found.date) == "2020-01-12" and found.year == 2020


def test_pattern_reads_fields_and_suffix():
    regex = pattern_regex("{unit}/{year}.md")
    assert regex.search("x/国务院/1964-part.md").groupdict() == {"unit": "国务院", "year": "1964", "suffix": "part"}


@pytest.mark.parametrize(
    ("data", "name", "fragment"),
    [
        (b"", "a.txt", "为空"),
        (b"\x00\x01bin", "a.txt", "二进制"),
        (b"x", "a.doc", "已损坏"),
        (b"%PDF-1.4", "a.pdf", "PDF 文件不导入"),
    ],
)
def test_unreadable_sources(data, name, fragment):
    with pytest.raises(Exception, match=re.escape(fragment)):
        read_text_file(data, name)


def test_gb18030_and_utf16_sources_decode():
    text = "2022年述职报告\n一、履职情况\n"
    assert read_text_file(text.encode("gb18030"), "a.txt") == text
    assert read_text_file(text.encode("utf-16"), "a.txt") == text


def test_run_import_writes_valid_reports_and_never_overwrites(tmp_path):
    units = tmp_path / "units.yml"
    units.write_text("- name: 市民政局\n", encoding="utf-8")
    source = tmp_path / "in" / "市民政局" / "2022.txt"
    source.parent.mkdir(parents=True)
    source.write_text("2022年述职报告\n市民政局党组书记 张三\n一、履职情况\n正文。\n", encoding="utf-8")
    options = ImportOptions(tmp_path / "out", units, pattern="{unit}/{year}.txt")
    first = run_import([source], options)
    assert [o.status for o in first] == ["导入"]
    target = tmp_path / "out" / "2022" / "市民政局.md"
    written = target.read_bytes()
    assert b"secretary: \xe5\xbc\xa0\xe4\xb8\x89" in written and b"## \xe4\xb8\x80" in written
    target.write_text("edited", encoding="utf-8")
    assert [o.status for o in run_import([source], options)] == ["跳过"]
    assert target.read_text(encoding="utf-8") == "edited"
    options.force = True
    run_import([source], options)
    assert target.read_bytes() == written  # re-running gives byte-identical output


def test_unknown_unit_is_named_or_registered(tmp_path):
    units = tmp_path / "units.yml"
    units.write_text("- name: 市民政局\n", encoding="utf-8")
    source = tmp_path / "a.txt"
    source.write_text("2022年述职报告\n市民政党组书记 张三\n正文。\n", encoding="utf-8")
    options = ImportOptions(tmp_path / "out", units, given={"unit": "市民政"})
    outcome = run_import([source], options)[0]
    assert outcome.status == "失败" and "最接近的已登记单位是“市民政局”" in outcome.reason
    options.add_units = True
    assert run_import([source], options)[0].status == "导入"
    assert "- name: 市民政" in units.read_text(encoding="utf-8").splitlines()


def test_two_reports_of_one_person_in_one_year_are_refused(tmp_path):
    units = tmp_path / "units.yml"
    units.write_text("- name: 市民政局\n", encoding="utf-8")
    sources = []
    for name in ("a.txt", "b.txt"):
        source = tmp_path / name
        source.write_text("2022年述职报告\n市民政局党组书记 张三\n正文。\n", encoding="utf-8")
        sources.append(source)
    outcomes = run_import(sources, ImportOptions(tmp_path / "out", units, given={"unit": "市民政局"}))
    assert [o.status for o in outcomes] == ["导入", "失败"]
    assert "同一年有两份报告" in outcomes[1].reason and "a.txt" in outcomes[1].reason
