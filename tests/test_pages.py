"""Index page builders: pure functions from an archive to Markdown."""

from __future__ import annotations

import pytest

from report_archive import Archive, Registry, Report, Unit, pages
from report_archive.reuse import Reuse


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


def _rows(md: str) -> list[str]:
    """The body rows of the tables in a generated page (ready HTML, one row per line)."""
    return [line for line in md.splitlines() if line.startswith("<tr><td>")]


def test_years_index_counts_newest_first():
    md = pages.years_index(make_archive())
    assert "3 个年份的 4 份报告" in md
    rows = _rows(md)
    assert rows[0].startswith('<tr><td><a href="2023/">2023 年</a></td><td>1</td>')
    assert rows[1].startswith('<tr><td><a href="2022/">2022 年</a></td><td>2</td>')


def test_year_page_sorted_by_registry_order_with_links():
    md = pages.year_detail(make_archive(), 2022)
    rows = _rows(md)
    assert "市财政局" in rows[0] and "市民政局" in rows[1]  # registry order, not name order
    assert '<a href="../../reports/2022/%E5%B8%82%E6%B0%91%E6%94%BF%E5%B1%80/">' in rows[1]
    assert "<td>党组书记</td>" in rows[1]
    assert "[« 2021 年](../2021/index.md)" in md and "[2023 年 »](../2023/index.md)" in md


def test_unit_page_newest_first_with_succession():
    md = pages.unit_detail(make_archive(), "市民政局")
    years = [row.split("</a>")[0].rsplit(">", 1)[1] for row in _rows(md)]
    assert years == ["2023", "2022", "2021"]
    assert "上级单位：市政府" in md
    timeline = md[md.index('<ol class="timeline"') :]
    assert (
        '<span class="timeline__years">2021–2022</span> <a href="../../secretaries/%E5%BC%A0%E4%B8%89/">张三</a>'
        in timeline
    )
    assert (
        '<span class="timeline__years">2023</span> <a href="../../secretaries/%E6%9D%8E%E5%9B%9B/">李四</a>' in timeline
    )
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
    report = Report(2022, "市民政局", "张三", "reports/2022/市民政局-x.md", meta={"title": "a|b *c* [d] <b>&"})
    archive = Archive([*archive.reports, report], archive.registry)
    md = pages.year_detail(archive, 2022)
    assert ">a|b *c* [d] &lt;b&gt;&amp;</a>" in md  # in a ready HTML block: escaped as HTML
    assert pages.esc("a|b *c* [d] <b>") == r"a\|b \*c\* \[d\] &lt;b&gt;"  # in Markdown


def test_ready_blocks_are_set_aside_and_put_back():
    md = "# T\n\n" + pages.ready("<table><tr><td>*x*</td></tr></table>") + "text\n" + pages.ready("<p>b</p>")
    skeleton, blocks = pages.split_ready(md)
    assert blocks == ["<table><tr><td>*x*</td></tr></table>", "<p>b</p>"]
    assert "archive:ready" not in skeleton and "*x*" not in skeleton
    html = skeleton.replace("# T", "<h1>T</h1>")
    assert pages.join_ready(html, blocks) == html.replace("<!-- archive:slot 0 -->", blocks[0]).replace(
        "<!-- archive:slot 1 -->", blocks[1]
    )
    with pytest.raises(ValueError):  # a slot Markdown lost: refuse rather than drop the block
        pages.join_ready(html.replace("<!-- archive:slot 1 -->", ""), blocks)


def test_year_ranges_and_slugs():
    assert pages.year_ranges([1954, 1955, 1956, 1964, 1975, 1976]) == "1954–1956、1964、1975–1976"
    assert pages.slug("黄 强") == "黄强"
    assert pages.slug("a/b?c") == "a-b-c"


def test_length_ignores_markup_and_space():
    report = Report(2022, "u", "s", "reports/2022/u.md", body="# 标题\n\n**正文** 内容。\n")
    assert report.length == len("标题正文内容。")


def test_relative_urls_between_pages():
    cases = {
        ("years/2022/index.md", "units/市民政局/"): "../../units/%E5%B8%82%E6%B0%91%E6%94%BF%E5%B1%80/",
        ("years/index.md", "years/2022/"): "2022/",
        ("years/index.md", "years/"): "./",
        ("index.md", "years/"): "years/",
        ("years/2022/index.md", "downloads/2022.docx"): "../../downloads/2022.docx",
        ("years/2022/index.md", "years/2022/a.docx"): "a.docx",
        ("compilations/2022/index.html", "years/2022/"): "../../years/2022/",
        ("reports/2022/x.md", "reports/2021/x/"): "../../2021/x/",
    }
    for (source, target), url in cases.items():
        assert pages.relative_url(source, target) == url, (source, target)


def _keys(archive: Archive) -> dict[str, str]:
    return {src: page.key for src, page in pages.index_pages(archive).items()}


def test_an_edit_changes_the_keys_of_the_pages_that_show_the_report_and_no_others():
    before = make_archive()
    after = make_archive()
    edited = after.get("reports/2022/市财政局.md")
    assert edited is not None
    after.reports[after.reports.index(edited)] = Report(
        2022, "市财政局", "王五", edited.path, meta={"position": "局长"}, body=edited.body
    )
    after = Archive(after.reports, after.registry)
    changed = {src for src, key in _keys(after).items() if _keys(before)[src] != key}
    whole = {"years/index.md", "units/index.md", "secretaries/index.md"}
    assert changed == whole | {"years/2022/index.md", "units/市财政局/index.md", "secretaries/王五/index.md"}
    assert _keys(make_archive()) == _keys(before)  # the same archive, the same keys


def _new_parent(archive: Archive) -> Archive:
    units = [Unit(u.name, u.order, parent=u.parent or "市政府") for u in archive.registry.units]
    return Archive(archive.reports, Registry(units))


def _reused(archive: Archive) -> Archive:
    archive.reuse["reports/2022/市民政局.md"] = Reuse(previous=0.5, anywhere=0.5)
    return archive


@pytest.mark.parametrize("change", [_new_parent, _reused])  # a unit page shows its parent; a year page, reuse
def test_what_a_page_shows_besides_its_reports_is_in_its_key(change):
    before, after = make_archive(), change(make_archive())
    made, made_before = pages.generated_pages(after), pages.generated_pages(before)
    keys, keys_before = _keys(after), _keys(before)
    differ = {src for src in made if made[src] != made_before[src]}
    assert differ  # the change shows somewhere
    assert {src for src in differ if keys[src] == keys_before[src]} == set()
