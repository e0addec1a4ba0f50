"""One test per kind of bad input: the message names the file, the line and the problem."""

from __future__ import annotations

import datetime as dt

import pytest
from _bootstrap import site_renderer
from conftest import ROOT, report_text

from report_archive import Registry, Unit, load_archive, load_report
from report_archive.validate import check_html

REGISTRY = Registry([Unit("市民政局", 0), Unit("市财政局", 1)])
PATH = "reports/2022/市民政局.md"
RENDER = site_renderer(ROOT / "mkdocs.yml")


def check(text: str | bytes, path: str = PATH):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return load_report(data, path, REGISTRY)


def only(problems, fragment: str):
    matching = [p for p in problems if fragment in p.message]
    assert matching, f"no problem mentions {fragment!r}: {problems}"
    return matching[0]


def test_valid_report_has_no_problems():
    report, problems = check(report_text(position="党组书记", date="2023-01-12", tags="[党建]"))
    assert problems == []
    assert (report.year, report.unit, report.secretary, report.position) == (2022, "市民政局", "张三", "党组书记")
    assert report.title == "标题"
    assert report.kind == "述职报告"


def test_missing_front_matter():
    report, problems = check("# 标题\n\n正文\n")
    assert report is None
    problem = only(problems, "缺少文件头")
    assert (problem.file, problem.line) == (PATH, 1)


def test_unclosed_front_matter():
    _, problems = check("---\nyear: 2022\nunit: 市民政局\n\n正文\n")
    assert only(problems, "没有结束").line == 1


def test_malformed_yaml_names_the_line():
    text = "---\nyear: 2022\nunit: [市民政局\nsecretary: 张三\n---\n正文\n"
    _, problems = check(text)
    problem = only(problems, "YAML 格式错误")
    assert problem.file == PATH
    assert problem.line in (3, 4)


@pytest.mark.parametrize("key", ["year", "unit", "secretary"])
def test_missing_required_key(key):
    lines = [line for line in report_text().splitlines() if not line.startswith(key + ":")]
    report, problems = check("\n".join(lines))
    assert report is None
    assert only(problems, f"缺少必填项 {key}").line == 1


def test_empty_required_key_names_its_line():
    _, problems = check("---\nyear: 2022\nunit: 市民政局\nsecretary: ''\n---\n正文\n")
    assert only(problems, "必填项 secretary 为空").line == 4


@pytest.mark.parametrize(
    ("value", "hint"),
    [("二〇二二", "应写为 2022"), ("2022年", "应写为 2022"), ("1900", "不在 1949"), ("true", "整数年份")],
)
def test_bad_year(value, hint):
    _, problems = check(report_text(year=value))
    problem = only(problems, hint)
    assert problem.line == 2


def test_year_after_next_year_is_rejected():
    year = dt.date.today().year + 2
    _, problems = check(report_text(year=year), path=f"reports/{year}/市民政局.md")
    assert only(problems, "不在").line == 2


def test_quoted_year_is_accepted():
    report, problems = check(report_text(year='"2022"'))
    assert problems == []
    assert report.year == 2022


@pytest.mark.parametrize(("value", "fragment"), [("2023-13-40", "YYYY-MM-DD"), ("去年", "YYYY-MM-DD")])
def test_bad_date(value, fragment):
    _, problems = check(report_text(date=value))
    assert only(problems, fragment).line == 5


def test_date_far_from_year():
    _, problems = check(report_text(date="2019-03-01"))
    assert only(problems, "相差超过一年").line == 5


def test_unknown_key_suggests_the_right_one():
    text = "---\nyear: 2022\nunit: 市民政局\nsecretary: 张三\nsecretery: 李四\n---\n正文\n"
    problem = only(check(text)[1], "未知的键“secretery”")
    assert "secretary" in problem.message
    assert problem.line == 5


def test_unregistered_unit_names_the_closest():
    _, problems = check(report_text(unit="市民政"), path="reports/2022/市民政.md")
    problem = only(problems, "未在 units.yml 中登记")
    assert "最接近的已登记单位是“市民政局”" in problem.message
    assert problem.line == 3


def test_path_year_disagrees():
    _, problems = check(report_text(year=2021))
    problem = only(problems, "2022 年目录下")
    assert problem.line == 2


def test_path_unit_disagrees():
    _, problems = check(report_text(unit="市财政局"))
    assert only(problems, "与单位“市财政局”不符").line == 3


def test_suffixed_file_name_is_accepted():
    _, problems = check(report_text(), path="reports/2022/市民政局-述责述廉.md")
    assert problems == []


def test_file_outside_year_folder():
    _, problems = check(report_text(), path="reports/市民政局.md")
    only(problems, "reports/<年份>/<单位>.md")


def test_non_utf8_names_the_encoding():
    report, problems = check(report_text().encode("gb18030"))
    assert report is None
    problem = only(problems, "不是 UTF-8")
    assert "GBK/GB18030" in problem.message
    assert problem.code == "encoding"


def test_utf16_is_named():
    _, problems = check(report_text().encode("utf-16"))
    assert "UTF-16" in only(problems, "不是 UTF-8").message


def test_utf8_bom_is_fine():
    assert check("\ufeff" + report_text())[1] == []


@pytest.mark.parametrize(
    ("line", "fragment"),
    [
        ("<script>alert(1)</script>", "<script>"),
        ('<iframe src="x"></iframe>', '<iframe src="x">'),
        ("<img src=x onerror=alert(1)>", 'onerror="alert(1)"'),
        ("[点我](javascript:alert(1))", 'href="javascript:alert(1)"'),
        ('<a href="JavaScript:void(0)">x</a>', 'href="JavaScript:void(0)"'),
    ],
)
def test_unsafe_html_in_body(line, fragment):
    body = "# 标题\n\n第一段。\n\n" + line + "\n"
    report, problems = check(report_text(body=body))
    assert problems == []  # the body's HTML is judged once rendered
    problem = only(check_html([report], RENDER), fragment)
    assert problem.line == 11  # 5 front matter lines, a blank, then the body's fifth line
    assert "不在允许的 HTML 范围内" in problem.message


def test_text_about_script_is_fine():
    body = "# 标题\n\n学习 JavaScript 编程，onerror 一词出现在文字中也无妨；<b>加粗</b>、脚注[^1]、表格都可以。\n\n"
    body += "| 左 | 右 |\n|:--|--:|\n| 1 | 2 |\n\n[^1]: 脚注。\n"
    report, problems = check(report_text(body=body))
    assert problems == [] and check_html([report], RENDER) == []


def test_every_problem_is_listed_at_once(project):
    project.write("reports/2022/市民政局.md", report_text(secretery="x"))
    project.write("reports/2022/市财政局.md", "no front matter")
    project.write("reports/2021/区教育局.md", report_text(year="二〇二一", unit="区教育局"))
    archive = load_archive(project.docs, project.path / "units.yml")
    files = {p.file for p in archive.problems}
    assert files == {"reports/2022/市民政局.md", "reports/2022/市财政局.md", "reports/2021/区教育局.md"}


def test_duplicate_reports(project):
    project.write("reports/2022/市民政局.md", report_text())
    project.write("reports/2022/市民政局-2.md", report_text())
    archive = load_archive(project.docs, project.path / "units.yml")
    problem = only(archive.problems, "重复")
    assert problem.file == "reports/2022/市民政局-2.md"
    assert "reports/2022/市民政局.md" in problem.message


def test_same_unit_and_year_with_another_kind_is_fine(project):
    project.write("reports/2022/市民政局.md", report_text())
    project.write("reports/2022/市民政局-述责述廉.md", report_text(kind="述责述廉报告"))
    assert load_archive(project.docs, project.path / "units.yml").problems == []


def test_validation_writes_nothing(project):
    project.write("reports/2022/市民政局.md", report_text())
    before = sorted(p.relative_to(project.docs) for p in project.docs.rglob("*"))
    load_archive(project.docs, project.path / "units.yml")
    assert sorted(p.relative_to(project.docs) for p in project.docs.rglob("*")) == before


def test_unsafe_html_in_front_matter_title():
    problem = only(check(report_text(title='"<img src=x onerror=alert(1)>"'))[1], "onerror=")
    assert problem.line == 5 and problem.message.startswith("title“<img")


def test_validate_script_lists_all_problems_and_filters_by_file(project):
    import subprocess
    import sys

    from conftest import ROOT

    project.write("reports/2022/市民政局.md", report_text(secretery="x"))
    project.write("reports/2022/市财政局.md", report_text(unit="市财政局", year="2022年"))
    command = [sys.executable, str(ROOT / "scripts" / "validate.py"), "--docs", str(project.docs)]
    command += ["--units", str(project.path / "units.yml")]
    everything = subprocess.run(command, capture_output=True, text=True)
    assert everything.returncode == 1
    assert "reports/2022/市民政局.md:5:" in everything.stdout and "reports/2022/市财政局.md:2:" in everything.stdout
    one = subprocess.run([*command, str(project.docs / "reports/2022/市财政局.md")], capture_output=True, text=True)
    assert one.returncode == 1 and "市民政局" not in one.stdout and "市财政局.md:2:" in one.stdout
    (project.docs / "reports/2022/市民政局.md").write_text(report_text(), encoding="utf-8")
    (project.docs / "reports/2022/市财政局.md").unlink()
    clean = subprocess.run(command, capture_output=True, text=True)
    assert clean.returncode == 0 and "检查通过" in clean.stdout


def test_a_report_under_the_limits_as_a_whole_passes_block_by_block_too():
    """``check_bounds`` skips the block-by-block count when the whole text is under a block's limits."""
    import random

    from report_archive import bounds

    rng = random.Random(5)
    pieces = ["字" * 40, "[链接](a.md)", "**强调**", "一  ", "# 标题" + "题" * 300, "", "", "<b>", "\\!", "x" * 900]
    pieces += ["[" * 100, "*" * 250, "# " + "题" * 1000, "", ""]
    within = 0
    for _ in range(400):
        body = "\n".join(rng.choice(pieces) for _ in range(rng.randrange(1, 60)))
        if bounds._within_everywhere(body):
            within += 1
            assert bounds._over_limits(body, "r.md", 1) == [], body
        assert bounds.check_bounds(body, "r.md") == bounds._over_limits(body, "r.md", 1)
    two = "\n\n".join(["字" * 30_000, "字" * 30_000])  # longer than a block may be, in two blocks
    spaced = "\n \n".join(["字" * 30_000, "字" * 30_000])  # (a line of spaces parts blocks too)
    assert bounds._within_everywhere(two) and not bounds._within_everywhere(spaced)
    assert bounds.check_bounds(two, "r.md") == bounds.check_bounds(spaced, "r.md") == []
    assert bounds.check_bounds("字" * 50_001, "r.md") != []
    assert 0 < within < 400
