"""Word constructs offices use, built in the test: each keeps every character and its structure."""

from __future__ import annotations

import re

from word_tools import CHINESE_LIST, level, numbering, p, run, style, word

from report_archive.importer import Draft, convert, read_bytes
from report_archive.importer.verify import differences, visible

FIELDS = {"unit": "市民政局"}
TITLE = p("2022年度市民政局党组书记述职报告")
SPEAKER = p("市民政局党组书记 张三")


def imported(data: bytes, **given) -> Draft:
    """Import a .docx; convert() fails unless the body has exactly the document's characters."""
    return convert("", FIELDS | given, reading=read_bytes(data, "report.docx"))


def headings(draft: Draft) -> list[str]:
    return re.findall(r"^#+ .+$", draft.body, re.MULTILINE)


def assert_lossless(data: bytes, draft: Draft) -> None:
    reading = read_bytes(data, "report.docx")
    assert differences(reading.expected, draft.body, reading.labels) == ([], [])


def test_automatic_chinese_multilevel_numbering_gives_labels_and_levels():
    body = TITLE + SPEAKER + p("2022年，我认真履职。")
    body += p("履职情况", num=(1, 0)) + p("注重基础抓学。一是夯实基础。", num=(1, 1)) + p("创新工作机制", num=(1, 1))
    body += p("加强学习", num=(1, 2)) + p("完善制度", num=(1, 3)) + p("落实制度", num=(1, 3))
    body += p("存在的问题", num=(1, 0)) + p("思路不开阔", num=(1, 1)) + p("推进不到位", num=(1, 2))
    data = word(body, numbering_xml=numbering((0, CHINESE_LIST)))
    draft = imported(data)
    assert headings(draft) == [
        "# 2022年度市民政局党组书记述职报告",
        "## 一、履职情况",
        "### （一）注重基础抓学",
        "### （二）创新工作机制",
        "#### 1.加强学习",
        "##### （1）完善制度",
        "##### （2）落实制度",
        "## 二、存在的问题",
        "### （一）思路不开阔",  # restarted under 二、
        "#### 1.推进不到位",
    ]
    assert "一是夯实基础。" in draft.body
    assert (draft.meta["secretary"], draft.meta["position"]) == ("张三", "市民政局党组书记")
    assert draft.meta["year"] == 2022
    assert_lossless(data, draft)


def test_start_values_overrides_and_other_formats():
    lists = numbering(
        (0, level(0, "chineseCounting", "%1、", start=3)),
        (1, level(0, "ideographTraditional", "%1、") + level(1, "decimalFullWidth", "%2．")),
        nums={
            1: '<w:abstractNumId w:val="0"/>',
            2: '<w:abstractNumId w:val="1"/>',
            3: '<w:abstractNumId w:val="1"/><w:lvlOverride w:ilvl="0"><w:startOverride w:val="5"/></w:lvlOverride>',
        },
    )
    body = TITLE + SPEAKER + p("工作成效", num=(1, 0)) + p("组织建设", num=(1, 0))
    body += p("甲项。", num=(2, 0)) + p("乙项。", num=(2, 0)) + p("细则", num=(2, 1)) + p("戊项。", num=(3, 0))
    draft = imported(word(body, numbering_xml=lists))
    assert headings(draft)[1:] == ["## 三、工作成效", "## 四、组织建设", "#### １．细则"]
    assert "甲、甲项。" in draft.body and "乙、乙项。" in draft.body and "戊、戊项。" in draft.body


def test_heading_styles_english_chinese_custom_and_title_not_a_level():
    styles = (
        style("a1", "标题 2") + style("Mine", "我的小标题", based_on="Heading3") + style("Outl", "大标题", outline=1)
    )
    body = p("2022年度市民政局党组书记述职报告", style="Heading1") + SPEAKER
    body += p("履职情况", style="Heading2") + p("正文一。") + p("学习", style="a1") + p("制度", style="Mine")
    body += p("存在的问题", style="Outl") + p("一、下一步", style="Heading2")
    draft = imported(word(body, styles=styles))
    assert headings(draft) == [
        "# 2022年度市民政局党组书记述职报告",
        "## 履职情况",
        "## 学习",
        "### 制度",
        "## 存在的问题",
        "## 一、下一步",
    ]


def test_title_style_stays_in_the_body_and_is_the_title():
    draft = imported(word(p("2022年度述职报告", style="Title") + SPEAKER + p("正文。")))
    assert draft.meta["title"] == "2022年度述职报告" and draft.body.startswith("# 2022年度述职报告\n")


def test_tracked_changes_accepted_and_comments_left_out_and_said_so():
    inserted = '<w:ins w:id="1" w:author="王五" w:date="2023-01-01T00:00:00Z">' + run("新增的一整段文字。") + "</w:ins>"
    deleted = '<w:del w:id="2" w:author="王五"><w:r><w:delText>删掉的话。</w:delText></w:r></w:del>'
    commented = '<w:commentRangeStart w:id="0"/>' + run("有批注的句子。") + '<w:commentRangeEnd w:id="0"/>'
    comment = '<w:comment w:id="0" w:author="王五"><w:p><w:r><w:t>批注内容</w:t></w:r></w:p></w:comment>'
    body = TITLE + SPEAKER + p("保留。", runs=inserted + deleted) + p(runs=commented)
    data = word(body, comments=comment)
    draft = imported(data)
    assert "保留。新增的一整段文字。" in draft.body
    assert "删掉的话" not in draft.body and "批注内容" not in draft.body and "有批注的句子。" in draft.body
    assert draft.notes == ("有未接受的修订，已按全部接受导入", "1 条批注未导入")
    assert_lossless(data, draft)


def test_hyperlinks_fields_content_controls_and_smart_tags_keep_their_text():
    link = '<w:hyperlink w:anchor="top">' + run("链接文字") + "</w:hyperlink>"
    simple = '<w:fldSimple w:instr=" AUTHOR "><w:r><w:t>域结果甲</w:t></w:r></w:fldSimple>'
    complex_field = (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> DATE </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        + run("域结果乙")
        + '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )
    control = "<w:sdt><w:sdtPr/><w:sdtContent>" + run("控件文字") + "</w:sdtContent></w:sdt>"
    smart = '<w:smartTag w:uri="urn:x" w:element="place">' + run("智能标记") + "</w:smartTag>"
    data = word(TITLE + SPEAKER + p("前", runs=link + simple + complex_field + control + smart))
    draft = imported(data)
    assert visible(draft.body, True).endswith("前链接文字域结果甲域结果乙控件文字智能标记")
    assert "DATE" not in draft.body and "AUTHOR" not in draft.body
    assert_lossless(data, draft)


def test_text_box_once_and_footnotes_included():
    box = "<w:txbxContent>" + p("文本框里的话。") + "</w:txbxContent>"
    choice = (
        '<w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wp:anchor><a:graphic><a:graphicData>'
        f"<wps:wsp><wps:txbx>{box}</wps:txbx></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing>"
        f"</mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox>{box}</v:textbox></v:shape></w:pict>"
        "</mc:Fallback></mc:AlternateContent></w:r>"
    )
    note = '<w:r><w:footnoteReference w:id="1"/></w:r>'
    footnotes = (
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
        '<w:footnote w:id="1"><w:p><w:r><w:t>脚注的说明。</w:t></w:r></w:p></w:footnote>'
    )
    data = word(TITLE + SPEAKER + p("正文有注", runs=note) + p("正文。", runs=choice), footnotes=footnotes)
    draft = imported(data)
    assert draft.body.count("文本框里的话") == 1
    assert "脚注的说明。" in draft.body and "[^1]" in draft.body
    assert_lossless(data, draft)


def test_merged_cells_once_soft_breaks_tabs_and_full_width_digits():
    merged = (
        '<w:tbl><w:tblGrid><w:gridCol w:w="2000"/><w:gridCol w:w="2000"/><w:gridCol w:w="2000"/></w:tblGrid>'
        '<w:tr><w:tc><w:tcPr><w:gridSpan w:val="2"/></w:tcPr>'
        + p("合并单元格")
        + "</w:tc><w:tc>"
        + p("丙")
        + "</w:tc></w:tr>"
        "<w:tr><w:tc>"
        + p("甲")
        + "</w:tc><w:tc>"
        + p("乙")
        + '</w:tc><w:tc><w:tcPr><w:vMerge w:val="restart"/></w:tcPr>'
        + p("竖合并")
        + "</w:tc></w:tr>"
        "<w:tr><w:tc>"
        + p("丁")
        + "</w:tc><w:tc>"
        + p("戊")
        + "</w:tc><w:tc><w:tcPr><w:vMerge/></w:tcPr>"
        + p()
        + "</w:tc></w:tr>"
        "</w:tbl>"
    )
    broken_title = p("2022年党组织书记抓基层", runs="<w:r><w:br/></w:r>" + run("党建述职报告"))
    tabbed = p("一、", runs="<w:r><w:tab/></w:r>" + run("履职情况"))
    body = broken_title + SPEAKER + tabbed + p("１．加强学习") + p("（２）完善制度") + merged
    data = word(body)
    draft = imported(data)
    assert draft.meta["title"] == "2022年党组织书记抓基层党建述职报告"
    assert draft.meta["secretary"] == "张三"  # never '抓基层' from the broken title
    assert headings(draft) == [
        "# 2022年党组织书记抓基层党建述职报告",
        "## 一、履职情况",
        "#### １．加强学习",
        "##### （２）完善制度",
    ]
    rows = [re.sub(r" +", " ", row) for row in draft.body.splitlines() if row.startswith("|") and "--" not in row]
    assert rows == ["| | | |", "| 合并单元格 | | 丙 |", "| 甲 | 乙 | 竖合并 |", "| 丁 | 戊 | |"]
    assert_lossless(data, draft)


def test_lost_text_fails_the_file_and_names_it():
    from report_archive.importer.verify import check_lossless

    message = check_lossless("一、履职情况\n正文很重要。\n", "## 一、履职情况\n\n正文。\n")
    assert "缺少" in message and "很重要" in message
    assert "多出" in check_lossless("正文。", "正文。多余的字")
    assert check_lossless("履职情况", "## 一、履职情况", ["一、"]) == ""
