"""The review views in a built site: statistics, side-by-side sections, reuse, renamed units, print."""

from __future__ import annotations

import random
import re
import subprocess

import pytest
from conftest import report_text, serve
from html_tools import page_file

UNITS = """- name: 市市场监管局
  formerly:
    - {name: 市工商局, until: 2018}
- name: 市民政局
- name: 市财政局
"""


def _chinese(rng: random.Random, length: int) -> str:
    return "".join(chr(0x4E00 + rng.randrange(3000)) for _ in range(length))


def _body(year: int, text: str, problems: str, next_steps: str) -> str:
    return (
        f"# {year}年述职报告\n\n## 一、履职情况\n\n{text}\n\n## 二、存在的问题\n\n{problems}\n\n"
        f"## 三、下一步工作思路\n\n{next_steps}\n"
    )


@pytest.fixture(scope="module")
def review_site(tmp_path_factory):
    from conftest import Project

    project = Project(tmp_path_factory.mktemp("review") / "project", units=UNITS)
    rng = random.Random(11)
    shared = _chinese(rng, 1200)
    project.write(
        "reports/2021/市民政局.md",
        report_text(year=2021, body=_body(2021, shared + _chinese(rng, 1200), "二〇二一年的问题。", "去年的打算。")),
    )
    project.write(
        "reports/2022/市民政局.md",
        report_text(year=2022, body=_body(2022, shared + _chinese(rng, 1200), "二〇二二年的问题。", "今年的打算。")),
    )
    project.write("reports/2022/市财政局.md", report_text(year=2022, unit="市财政局", secretary="王五"))
    project.write("reports/2017/市工商局.md", report_text(year=2017, unit="市工商局", secretary="赵六"))
    project.write("reports/2023/市市场监管局.md", report_text(year=2023, unit="市市场监管局", secretary="钱七"))
    result = project.build()
    assert result.returncode == 0, result.stderr
    return project.path / "site"


def _html(site, url):
    return page_file(site, url).read_text(encoding="utf-8")


def test_stats_matrix_and_svg_charts(review_site):
    html = _html(review_site, "/stats/")
    assert "2023 年</strong>：1 个单位已提交，2 个未提交。" in html
    assert re.search(r"<details>\s*<summary>2023 年未提交的单位</summary>", html)
    article = html.split("<article")[1].split("</article>")[0]
    assert article.count('class="archive-chart"') == 2 and "<script" not in article
    rows = re.findall(r"<tr>\s*<td><a [^>]*>(\d{4})</a></td>(.*?)</tr>", html, re.S)
    assert [year for year, _ in rows] == ["2023", "2022", "2021", "2017"]
    cells = {year: re.findall(r"<td>([^<]*)</td>", rest) for year, rest in rows}
    assert cells["2017"] == ["1", "—", "—", "1"]  # filed under the former name, counted for the current unit


def test_review_page_and_last_years_panel(review_site):
    review = _html(review_site, "/review/2022/")
    assert "二〇二二年的问题。" in review and "今年的打算。" in review
    assert "review-pair" in review
    report = _html(review_site, "/reports/2022/市民政局/")
    panel = re.search(r'<aside class="report-panel".*?</aside>', report, re.S).group(0)
    assert "去年的下一步" in panel and "去年的打算。" in panel and "今年的打算" not in panel
    unrecognised = _html(review_site, "/review/2023/")
    assert "未能识别章节的报告" in unrecognised and "钱七" in unrecognised


def test_reuse_figure_in_header_and_year_page(review_site):
    report = _html(review_site, "/reports/2022/市民政局/")
    figure = re.search(r"与2021年本单位报告重复 (\d+)%", report)
    # 1,200 of about 2,440 characters were taken from the 2021 report
    assert figure and 44 <= int(figure.group(1)) <= 54
    assert 'href="?reuse=../../2021/' in report
    year = _html(review_site, "/years/2022/")
    assert "与本单位上一份重复" in year and re.search(r"<td>(4[4-9]|5[0-4])%</td>", year)


def test_reuse_view_highlights_the_repeated_passage(review_site, browser):
    with serve(review_site) as base:
        page = browser.new_page()
        page.goto(base + "/reports/2022/市民政局/")
        page.locator(".report-header__reuse").click()
        page.wait_for_selector("mark.reuse-hit")
        marked = "".join(page.locator("mark.reuse-hit").all_inner_texts())
        assert 1150 <= len(marked) <= 1260
        page.close()


def test_former_name_validates_and_shows_under_the_current_unit(review_site, project):
    unit = _html(review_site, "/units/市市场监管局/")
    assert "曾用名：市工商局（至 2018 年）" in unit
    assert "市工商局" in unit and "赵六" in unit and "钱七" in unit
    timeline = unit[unit.index('class="timeline"') : unit.index("</ol>")]
    assert timeline.index("赵六") < timeline.index("钱七")
    assert "时称市工商局" in timeline  # only the term under the former name says so
    assert timeline.count("时称") == 1
    report = _html(review_site, "/reports/2017/市工商局/")
    assert "/units/市市场监管局/" in report.replace(
        "%E5%B8%82%E5%B8%82%E5%9C%BA%E7%9B%91%E7%AE%A1%E5%B1%80", "市市场监管局"
    ) or ("units/市市场监管局/" in report)

    (project.path / "units.yml").write_text(UNITS, encoding="utf-8")
    project.write("reports/2020/市工商局.md", report_text(year=2020, unit="市工商局", secretary="孙八"))
    result = project.build()
    assert result.returncode != 0
    assert "“市工商局”是“市市场监管局”2018 年及以前的名称" in result.stderr


def test_print_to_pdf_is_a_document_without_navigation(review_site, browser, tmp_path):
    with serve(review_site) as base:
        page = browser.new_page()
        page.goto(base + "/reports/2022/市民政局/")
        pdf = tmp_path / "report.pdf"
        page.pdf(path=str(pdf), format="A4", display_header_footer=False, print_background=True)
        page.close()
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "2022年述职报告" in text
    assert "年份" in text and "2022 年" in text and "市民政局" in text and "张三" in text  # the header
    for navigation in ("按年份", "按书记", "编辑指南", "搜索全部报告", "编辑此页", "去年的下一步"):
        assert navigation not in text, navigation
    assert re.search(r"第\s*1\s*页", text)  # page numbers


def test_year_page_sorts_by_the_reuse_column(review_site, browser):
    with serve(review_site) as base:
        page = browser.new_page()
        page.goto(base + "/years/2022/")
        page.get_by_role("columnheader", name="与本单位上一份重复").click()
        page.get_by_role("columnheader", name="与本单位上一份重复").click()
        assert page.get_by_role("columnheader", name="与本单位上一份重复").get_attribute("aria-sort") == "descending"
        rows = page.locator("article table tbody tr").all_inner_texts()
        assert "市民政局" in rows[0] and "市财政局" in rows[1]  # 48 % before "—"
        page.get_by_role("columnheader", name="与本单位上一份重复").click()
        rows = page.locator("article table tbody tr").all_inner_texts()
        assert "市财政局" in rows[0] and "市民政局" in rows[1]
        page.close()


def test_review_views_of_the_demo_archive(demo_site):
    stats = _html(demo_site, "/stats/")
    assert "2026 年</strong>：4 个单位已提交，1 个未提交。" in stats
    assert "市民政局" in stats[stats.index("<details>") : stats.index("</details>")]
    review = _html(demo_site, "/review/2022/")
    seed = review[review.index("市民政局 · 张三") :]
    assert "2022年基层党建工作取得了一些成绩" in seed  # the seed's 存在的问题
    assert "三、下一步工作思路" in seed and "始终抓牢政治建设" in seed
    assert "未能识别章节的报告" in review  # government work reports use other headings
    unit = _html(demo_site, "/units/国务院/")
    timeline = unit[unit.index('class="timeline"') : unit.index("</ol>")]
    assert timeline.index("周恩来") < timeline.index("李鹏") < timeline.index("李强")
    assert re.search(r'<a href="\.\./\.\./secretaries/%E5%91%A8%E6%81%A9%E6%9D%A5/">周恩来</a>', timeline)
    assert "时称" not in unit and "](" not in unit
    report = _html(demo_site, "/reports/2020/国务院/")
    assert re.search(r"与2019年本单位报告重复 \d+%", report)
    assert "去年的下一步" in report
