"""Metadata is right or refused: every speaker form, Chinese-numeral dates, ambiguity refused."""

from __future__ import annotations

import datetime as dt

import pytest

from report_archive.importer import ImportFailure, convert, detect_meta
from report_archive.importer.dates import parse_date


@pytest.mark.parametrize(
    ("text", "secretary", "position"),
    [
        ("2022年度述职报告\n述职人：张三\n正文。", "张三", ""),
        ("2022年度述职报告\n报告人：市民政局党组书记 张三\n正文。", "张三", "市民政局党组书记"),
        ("2016年政府工作报告\n——2016年1月12日在州十三届人大五次会议上\n杜学军\n各位代表：", "杜学军", ""),
        ("政府工作报告\n自治区主席乌云其木格\n各位代表：", "乌云其木格", "自治区主席"),
        ("政府工作报告\n代理州长 阿石拉比\n各位代表：", "阿石拉比", "代理州长"),
        ("政府工作报告\n自治区主席 买买提·阿不都\n各位代表：", "买买提·阿不都", "自治区主席"),
        ("政府工作报告\n（2016年1月12日 杜学军）\n各位代表：", "杜学军", ""),
        ("2016年政府工作报告（2016年1月12日 杜学军）\n各位代表：", "杜学军", ""),
        ("2022年度述职报告\n市民政局党组书记\n张三\n正文。", "张三", "市民政局党组书记"),
        ("2022年度述职报告\n正文很长很长。\n述职人：张三\n2023年1月12日", "张三", ""),
        ("2022年度述职报告\n正文。\n张三\n二〇二三年一月十二日", "张三", ""),
    ],
)
def test_speaker_forms(text, secretary, position):
    found = detect_meta(text)
    assert (found.secretary, found.position) == (secretary, position)


def test_title_line_is_never_the_speaker():
    found = detect_meta("2022年度市民政局党组书记述职报告\n一、履职情况\n正文。\n")
    assert found.title == "2022年度市民政局党组书记述职报告" and found.secretary == "" and found.year == 2022
    with pytest.raises(ImportFailure, match="缺少 报告人（secretary）"):
        convert("2022年度市民政局党组书记述职报告\n正文。\n", {"unit": "市民政局"})


def test_title_broken_over_two_lines_is_one_title():
    found = detect_meta("2022年党组织书记抓基层\n党建述职报告\n市民政局党组书记 张三\n")
    assert found.title == "2022年党组织书记抓基层党建述职报告" and found.secretary == "张三"


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("二〇二三年一月十二日", dt.date(2023, 1, 12)),
        ("二〇二三年十二月三十一日", dt.date(2023, 12, 31)),
        ("２０２３年１月２０日", dt.date(2023, 1, 20)),
        ("2023年2月30日", None),
    ],
)
def test_dates(text, date):
    assert parse_date(text) == date


def test_chinese_numeral_year_in_title_and_signature_date():
    found = detect_meta("二〇二二年度述职报告\n正文。\n述职人：张三\n二〇二三年一月十二日\n")
    assert (found.year, found.secretary, found.date) == (2022, "张三", dt.date(2023, 1, 12))


def test_two_speakers_are_refused_with_the_candidates_and_the_flag():
    text = "2022年度述职报告\n市民政局党组书记 张三\n正文。\n李四\n2023年1月12日\n"
    with pytest.raises(ImportFailure) as failure:
        convert(text, {"unit": "市民政局"})
    message = str(failure.value)
    assert "报告人不确定" in message and "“张三”" in message and "“李四”" in message and "--secretary" in message
    assert convert(text, {"unit": "市民政局", "secretary": "张三"}).meta["secretary"] == "张三"


def test_two_dates_are_refused_with_the_flag():
    text = "2022年度述职报告\n——2023年1月5日在全局大会上\n述职人：张三\n正文。\n2023年1月12日\n"
    with pytest.raises(ImportFailure, match=r"日期不确定.*2023-01-05、2023-01-12.*--date"):
        convert(text, {"unit": "市民政局"})
    assert str(convert(text, {"unit": "市民政局", "date": "2023-01-12"}).meta["date"]) == "2023-01-12"


def test_same_speaker_at_top_and_bottom_is_one_reading():
    found = detect_meta("2022年度述职报告\n市民政局党组书记 张三\n正文。\n张三\n2023年1月12日\n")
    assert (found.secretary, found.position, str(found.date)) == ("张三", "市民政局党组书记", "2023-01-12")
