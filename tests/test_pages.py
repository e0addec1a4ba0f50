"""Index page builders: pure functions from an archive to Markdown."""

from __future__ import annotations

from report_archive import Archive, Registry, Report, Unit, pages


def make_archive() -> Archive:
    registry = Registry([Unit("市财政局", 0), Unit("市民政局", 1, parent="市政府")])

    def report(year, unit, secretary, **meta):
        body = meta.pop("body", f"# {year}年{unit}述职报告\n\n正文内容。\n")
        return Report(year, unit, secretary, f"reports/{year}/{unit}.md", meta=meta, body=body)

    return Archive(
        [
            report(2021, "市民政局", "张三", position="党组书记"),
            report(2022, "市民政局", "张三", position="党组书记"),
            report(2023, "市民政局", "李四", position="党组书记"),
            report(2022, "市财政局", "王五"),
        ],
        registry,
    )


def test_years_index_counts_newest_first():
    md = pages.years_index(make_archive())
    assert "3 个年份的 4 份报告" in md
    rows = [line for line in md.splitlines() if line.startswith("| [")]
    assert rows[0].startswith("| [2023 年](2023/index.md) | 1 |")
    assert rows[1].startswith("| [2022 年](2022/index.md) | 2 |")


def test_year_page_sorted_by_registry_order_with_links():
    md = pages.year_detail(make_archive(), 2022)
    rows = [line for line in md.splitlines() if line.startswith("| [")]
    assert "市财政局" in rows[0] and "市民政局" in rows[1]  # registry order, not name order
    assert "(../../reports/2022/%E5%B8%82%E6%B0%91%E6%94%BF%E5%B1%80.md)" in rows[1]
    assert "| 党组书记 |" in rows[1]
    assert "[« 2021 年](../2021/index.md)" in md and "[2023 年 »](../2023/index.md)" in md


def test_unit_page_newest_first_with_succession():
    md = pages.unit_detail(make_archive(), "市民政局")
    years = [line.split("]")[0] for line in md.splitlines() if line.startswith("| [")]
    assert years == ["| [2023", "| [2022", "| [2021"]
    assert "上级单位：市政府" in md
    timeline = md[md.index('<ol class="timeline"') :]
    assert '<span class="timeline__years">2021–2022</span> [张三]' in timeline
    assert '<span class="timeline__years">2023</span> [李四]' in timeline
    assert timeline.index("张三") < timeline.index("李四")  # succession in year order
    assert md.count("张三") == 3  # once in the timeline, twice in the table: one succession per page
    assert "时称" not in md  # the unit never changed its name


def test_secretary_page_lists_units_and_years():
    md = pages.secretary_detail(make_archive(), "张三")
    assert "共 2 份报告" in md
    assert "市民政局" in md and "（2021–2022）" in md


def test_home_summary_counts_and_latest_year():
    md = pages.home_summary(make_archive())
    assert "**4** 份报告" in md and "**2** 个单位" in md and "**3** 个年份" in md
    assert "最新年份" in md and "2023 年" in md and "李四" in md
    assert "[按年份浏览](years/index.md)" in md


def test_home_summary_of_an_empty_archive():
    assert "还没有报告" in pages.home_summary(Archive())


def test_generated_pages_cover_every_year_unit_and_person():
    generated = pages.generated_pages(make_archive())
    assert set(generated) == {
        "years/index.md",
        "units/index.md",
        "secretaries/index.md",
        "years/2021/index.md",
        "years/2022/index.md",
        "years/2023/index.md",
        "units/市财政局/index.md",
        "units/市民政局/index.md",
        "secretaries/张三/index.md",
        "secretaries/李四/index.md",
        "secretaries/王五/index.md",
    }


def test_report_header_links_and_neighbours():
    archive = make_archive()
    header = pages.report_header(archive, archive.get("reports/2022/市民政局.md"))
    assert header["year"]["url"] == "years/2022/"
    assert header["unit"]["url"] == "units/市民政局/"
    assert header["secretary"]["url"] == "secretaries/张三/"
    assert header["previous"]["url"] == "reports/2021/市民政局/"
    assert header["next"]["url"] == "reports/2023/市民政局/"
    first = pages.report_header(archive, archive.get("reports/2021/市民政局.md"))
    assert first["previous"] is None


def test_markdown_special_characters_are_escaped():
    archive = make_archive()
    report = Report(2022, "市民政局", "张三", "reports/2022/市民政局-x.md", meta={"title": "a|b *c* [d]"})
    archive = Archive([*archive.reports, report], archive.registry)
    md = pages.year_detail(archive, 2022)
    assert r"a\|b \*c\* \[d\]" in md


def test_year_ranges_and_slugs():
    assert pages.year_ranges([1954, 1955, 1956, 1964, 1975, 1976]) == "1954–1956、1964、1975–1976"
    assert pages.slug("黄 强") == "黄强"
    assert pages.slug("a/b?c") == "a-b-c"


def test_length_ignores_markup_and_space():
    report = Report(2022, "u", "s", "reports/2022/u.md", body="# 标题\n\n**正文** 内容。\n")
    assert report.length == len("标题正文内容。")
