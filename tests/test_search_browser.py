"""The search in a real browser on the demo archive, checked against ground truth computed here."""

from __future__ import annotations

import json
import unicodedata
from urllib.parse import quote, unquote, urlsplit

import pytest
from conftest import report_text, serve
from html_tools import report_fields

from report_archive import search

QUERIES = [
    *("三会一课", "民主生活会", "菜篮子", "GDP", "ＧＤＰ", "5G", "党", "的", "脱贫攻坚", "改革开放"),
    *("“两个维护”", "不存在的短语啊", "国务院", "周恩来", "一九五四年", "人民代表大会", "（一）", "2019年"),
    *("经济 发展", "高质量发展 乡村振兴", "民政 党建 述职"),
]


def _norm(text: str) -> str:
    """The test's own normalisation: NFKC, lower case, no white space, no control characters."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(c.lower() for c in text if not c.isspace() and unicodedata.category(c) != "Cc")


@pytest.fixture(scope="module")
def truth_pages(demo_site):
    pages = {}
    for path in (demo_site / "reports").rglob("index.html"):
        url = "/" + path.parent.relative_to(demo_site).as_posix() + "/"
        pages[url] = [_norm(field) for field in report_fields(path)]
    return pages


def _truth(pages, query: str) -> dict[str, int]:
    terms = [_norm(t) for t in query.split()]
    found = {}
    for url, fields in pages.items():
        counts = [sum(f.count(t) for f in fields) for t in terms]
        if all(counts):
            found[url] = sum(counts)
    return found


@pytest.fixture
def search_page(page, demo_server):
    page.goto(demo_server + "/search/")
    return page


def test_results_equal_substring_ground_truth(search_page, truth_pages, demo_server):
    for query in QUERIES:
        results = search_page.evaluate("q => reportSearch(q)", query)
        expected = _truth(truth_pages, query)
        got = {r["url"]: r["hits"] for r in results}
        assert set(got) == set(expected), query
        # hits count every occurrence; str.count does not count overlaps, so compare where none can overlap
        if len(set(query)) == len(query):
            assert got == expected, query
        for result in results:
            assert {"url", "title", "year", "unit", "secretary", "hits"} <= set(result)
    hosts = {urlsplit(url).netloc for url in search_page.requests}
    assert hosts == {urlsplit(demo_server).netloc}


def test_edge_queries(search_page):
    assert search_page.evaluate("reportSearch('')") == []
    assert search_page.evaluate("reportSearch('   ')") == []
    long = "三会一课" * 2000
    assert search_page.evaluate("q => reportSearch(q)", long) == []
    gdp = search_page.evaluate("reportSearch('GDP')")
    assert gdp == search_page.evaluate("reportSearch('ｇｄｐ')") and gdp


def test_filters_by_year_and_unit(search_page):
    everything = search_page.evaluate("reportSearch('人民代表大会')")
    in_range = search_page.evaluate("reportSearch('人民代表大会', {year: '2010-2015'})")
    assert in_range == [r for r in everything if 2010 <= r["year"] <= 2015] and in_range
    one_year = search_page.evaluate("reportSearch('人民代表大会', {year: 2019, unit: '广东省'})")
    assert one_year == [r for r in everything if r["year"] == 2019 and r["unit"] == "广东省"] and one_year


def test_search_page_state_lives_in_the_url(search_page, demo_server):
    page = search_page
    page.goto(demo_server + "/search/?q=" + quote("菜篮子") + "&year=2020")
    page.wait_for_selector(".search-result")
    metas = page.locator(".search-result__meta").all_inner_texts()
    assert metas and all(m.startswith("2020 年") for m in metas)
    # A title that does not name year and unit gets both in front of it.
    titles = page.locator(".search-result__title").all_inner_texts()
    assert "2020 年 · 国务院 · 政府工作报告" in titles
    assert all("2020" in t and any(u in t for u in ("国务院", "浙江省", "广东省", "四川省")) for t in titles)
    assert page.input_value("#search-q") == "菜篮子"
    assert page.locator("#search-chart svg rect").count() >= 1
    assert page.locator("#facet-year .search-facet--selected").inner_text().startswith("2020 年")

    page.locator("#facet-unit a").first.click()
    params = dict(p.split("=") for p in urlsplit(page.url).query.split("&"))
    assert params["year"] == "2020" and "unit" in params
    unit = unquote(params["unit"])
    assert all(unit in m for m in page.locator(".search-result__meta").all_inner_texts())

    page.goto(page.url)  # reloading the URL reproduces the same view
    page.wait_for_selector(".search-result")
    assert all(unit in m for m in page.locator(".search-result__meta").all_inner_texts())
    assert page.locator(".search-result__snippet mark").first.inner_text() == "菜篮子"


def test_header_box_enter_opens_search_and_result_highlights(browser, demo_server):
    page = browser.new_page()
    page.goto(demo_server + "/")
    page.fill(".archive-search-box__input", "三会一课")
    page.press(".archive-search-box__input", "Enter")
    page.wait_for_selector(".search-result")
    assert unquote(urlsplit(page.url).path) == "/search/"
    page.locator(".search-result__title").first.click()
    page.wait_for_selector("mark.search-hit")
    marks = page.locator("article mark.search-hit").all_inner_texts()
    assert marks and all(_norm(m) == "三会一课" for m in marks)
    assert page.evaluate("document.querySelector('mark.search-hit').getBoundingClientRect().top") < 1000
    page.close()


def test_untrusted_text_is_shown_as_text(browser, project):
    body = "# 标题\n\n正文中写着 &lt;img src=x onerror=alert(1)&gt; 这一串字。\n"
    project.write("reports/2022/市民政局.md", report_text(body=body))
    assert project.build().returncode == 0
    with serve(project.path / "site") as base:
        page = browser.new_page()
        dialogs = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(base + "/search/?q=onerror")
        page.wait_for_selector(".search-result__snippet mark")
        snippet = page.locator(".search-result__snippet").inner_text()
        assert "<img src=x onerror=alert(1)>" in snippet
        assert page.locator(".search-results img").count() == 0
        page.locator(".search-result__title").first.click()
        page.wait_for_selector("mark.search-hit")
        assert page.locator("article img").count() == 0
        assert dialogs == []
        page.close()


def test_a_delta_beside_the_index_is_searched(browser, project):
    """While serving, docs.json may carry the changed reports as a delta and hide their old entries."""
    project.write("reports/2021/市民政局.md", report_text(year=2021, body="# 报告\n\n旧的说法在这里。\n"))
    project.write("reports/2022/市财政局.md", report_text(unit="市财政局", body="# 报告\n\n另一份报告的说法。\n"))
    assert project.build().returncode == 0
    data = project.path / "site" / search.INDEX_DIR
    numbers = {doc[0]: n for n, doc in enumerate(json.loads((data / "docs.json").read_text("utf-8"))["docs"])}
    edited = search.make_doc("reports/2021/市民政局/", "报告", 2021, "市民政局", "张三", "新的说法在这里。")
    search.write_delta(data, [edited], hidden=[numbers["reports/2021/市民政局/"], numbers["reports/2022/市财政局/"]])
    with serve(project.path / "site") as base:
        page = browser.new_page()
        page.goto(base + "/search/")

        def found(query: str) -> dict[str, int]:
            return {r["url"]: r["hits"] for r in page.evaluate("q => reportSearch(q)", query)}

        assert found("新的说法") == {"/reports/2021/市民政局/": 1}
        assert found("说法") == {"/reports/2021/市民政局/": 1}
        assert found("旧的") == found("另一份") == {}
        assert found("说 在") == {"/reports/2021/市民政局/": 2}
        assert page.evaluate("async () => [...await reportSearch.units()]") == ["市民政局"]
        page.close()
