"""End-to-end builds with the real MkDocs, the repository's hooks and theme overrides."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import ROOT, report_text
from html_tools import external_loads, page_file, parse, resolve

REPORTS = ROOT / "docs" / "reports"


def _text(path: Path) -> str:
    return "".join(parse(path).text)


def _shipped():
    files = sorted(REPORTS.rglob("*.md"))
    years = {p.parent.name for p in files}
    units = {p.stem.split("-")[0] for p in files}
    return files, years, units


def test_demo_archive_is_shipped():
    files, _years, units = _shipped()
    assert len(files) >= 100
    assert {"国务院", "广东省", "浙江省", "四川省", "市民政局"} <= units
    assert (REPORTS / "2022" / "市民政局.md").exists()  # the seed report


def test_index_pages_exist_with_counts(demo_site):
    files, years, units = _shipped()
    text = _text(page_file(demo_site, "/years/"))
    assert f"档案共收录 {len(years)} 个年份的 {len(files)} 份报告" in text
    for year in ("1954", "2022"):
        page = page_file(demo_site, f"/years/{year}/")
        expected = len(list((REPORTS / year).glob("*.md")))
        assert f"{year} 年共有 {expected} 份报告" in _text(page)
    assert f"档案收录了 {len(units)} 个单位的报告" in _text(page_file(demo_site, "/units/"))
    state_council = len([p for p in files if p.stem.startswith("国务院")])
    assert f"共 {state_council} 份报告" in _text(page_file(demo_site, "/units/国务院/"))
    assert "周恩来" in _text(page_file(demo_site, "/secretaries/"))
    assert page_file(demo_site, "/secretaries/周恩来/").exists()


def test_home_page_summarises_the_archive(demo_site):
    files, years, units = _shipped()
    text = _text(page_file(demo_site, "/"))
    assert f"本档案收录 {len(files)} 份报告，涉及 {len(units)} 个单位、{len(years)} 个年份" in text
    assert f"最新年份：{max(years)} 年" in text


def test_report_header_links_to_year_unit_and_secretary(demo_site):
    page = page_file(demo_site, "/reports/2019/国务院/")
    html = page.read_text(encoding="utf-8")
    start = html.index('<nav class="report-header"')
    header = html[start : html.index("</nav>", start)]
    targets = {resolve(demo_site, page, href) for href in re.findall(r'href="([^"]+)"', header)}
    for url in (
        "/years/2019/",
        "/units/国务院/",
        "/secretaries/李克强/",
        "/reports/2018/国务院/",
        "/reports/2020/国务院/",
    ):
        assert page_file(demo_site, url) in targets, url
        assert page_file(demo_site, url).exists()
    text = _text(page)
    assert "国务院总理" in text and "上一份：2018 年" in text and "下一份：2020 年" in text


def test_reports_are_not_in_the_navigation(demo_site):
    page = page_file(demo_site, "/reports/2019/国务院/")
    html = page.read_text(encoding="utf-8")
    nav = html[html.index('class="md-nav md-nav--primary"') : html.index("</nav>", html.index("md-nav--primary"))]
    labels = re.findall(r'<span class="md-ellipsis">\s*([^<]+?)\s*</span>', nav)
    assert labels == ["首页", "按年份", "按单位", "按书记", "搜索", "统计", "述职评议", "编辑指南"]


def test_no_page_loads_anything_from_another_host(demo_site):
    offenders = {str(p): external_loads(p) for p in demo_site.rglob("*.html") if external_loads(p)}
    assert offenders == {}
    css = "".join(p.read_text(encoding="utf-8") for p in demo_site.rglob("*.css"))
    assert "fonts.googleapis" not in css and "@import url(http" not in css


def test_no_component_fetches_repository_facts(demo_site):
    """Material's "source" component would ask the GitHub API for stars and forks."""
    for page in demo_site.rglob("*.html"):
        assert 'data-md-component="source"' not in page.read_text(encoding="utf-8"), page


def test_edit_links_last_change_and_new_report_links(demo_site):
    report = page_file(demo_site, "/reports/2022/市民政局/").read_text(encoding="utf-8")
    assert ">编辑此页</a>" in report and ">查看源文件</a>" in report
    assert "/edit/main/docs/reports/2022/市民政局.md" in report
    assert re.search(r"最后修改</dt><dd>(\d{4}-\d{2}-\d{2}|尚未提交)</dd>", report)
    generated = page_file(demo_site, "/years/2022/").read_text(encoding="utf-8")
    assert "编辑此页" not in generated  # generated pages have no source file
    guide = page_file(demo_site, "/guide/").read_text(encoding="utf-8")
    links = re.findall(r'href="([^"]*/new/main/docs/reports/(\d{4})\?[^"]*)"', guide)
    assert len(links) == 5
    assert "filename=" in links[0][0] and "value=" in links[0][0]


def test_drafts_are_left_out_of_site_and_indexes(project):
    project.write("reports/2022/市民政局.md", report_text())
    project.write("reports/2023/市民政局.md", report_text(year=2023, secretary="草稿人", draft="true"))
    result = project.build()
    assert result.returncode == 0, result.stderr
    site = project.path / "site"
    assert page_file(site, "/reports/2022/市民政局/").exists()
    assert not page_file(site, "/reports/2023/市民政局/").exists()
    assert not page_file(site, "/years/2023/").exists()
    assert not page_file(site, "/secretaries/草稿人/").exists()
    for page in site.rglob("*.html"):
        assert "草稿人" not in page.read_text(encoding="utf-8"), page


def test_strict_build_fails_on_validation_errors(project):
    project.write("reports/2022/市民政局.md", report_text(secretery="x"))
    project.write("reports/2022/市财政局.md", report_text(unit="市财政局", year="2022年"))
    result = project.build()
    assert result.returncode != 0
    assert "reports/2022/市民政局.md:5: 未知的键“secretery”" in result.stderr
    assert "reports/2022/市财政局.md:2: year 应为整数年份" in result.stderr


def test_non_utf8_report_fails_cleanly(project):
    project.write("reports/2022/市民政局.md", report_text())
    project.write("reports/2022/市财政局.md", report_text(unit="市财政局").encode("gbk"))
    result = project.build()
    assert result.returncode != 0
    assert "reports/2022/市财政局.md: 文件不是 UTF-8 编码，看起来是 GBK/GB18030 编码" in result.stderr
    assert "Traceback" not in result.stderr


def test_output_grows_linearly_per_report(project):
    """Pages do not list every report, so a report page's size does not depend on the archive's size."""
    project.write("reports/2022/市民政局.md", report_text())
    assert project.build().returncode == 0
    small = page_file(project.path / "site", "/reports/2022/市民政局/").stat().st_size
    for year in range(1990, 2022):
        project.write(f"reports/{year}/市财政局.md", report_text(year=year, unit="市财政局", secretary=f"人{year}"))
    assert project.build().returncode == 0
    large = page_file(project.path / "site", "/reports/2022/市民政局/").stat().st_size
    assert abs(large - small) < 200
