"""The search page with hostile or broken URL parameters: always a message, never an error or a hang."""

from __future__ import annotations

from urllib.parse import quote, urlencode

import pytest

QUERY = "菜篮子"  # found in several years and units of the demo archive
WORKING = "正在检索…"

# (parameters besides q, words the notice must contain; None: no notice)
CASES = [
    ({"year": "abc"}, "年份“abc”无法识别"),
    ({"year": "2020-19x"}, "年份“2020-19x”无法识别"),
    ({"year": "99999"}, "年份“99999”无法识别"),
    ({"year": "<script>window.__ran=1</script>"}, "年份“<script>window.__ran=1</script>”无法识别"),
    ({"year": "2022-2020"}, "起止颠倒，已按 2020-2022 筛选"),
    ({"unit": "不存在的单位"}, "没有名为“不存在的单位”的单位"),
    ({"unit": "<img src=x onerror=window.__ran=1>"}, "没有名为“<img src=x onerror=window.__ran=1>”的单位"),
    ({"unit": "国务院\x00"}, "单位筛选无法识别"),
    ({"unit": "长" * 41}, "单位筛选无法识别"),
    ({"sort": "random"}, "排序方式“random”无法识别"),
    ({"sort": "", "page": "", "year": "", "unit": ""}, None),
    ({"page": "0"}, "页码“0”无效"),
    ({"page": "-1"}, "页码“-1”无效"),
    ({"page": "x"}, "页码“x”无效"),
    ({"page": "1e3"}, "页码“1e3”无效"),
    ({"page": "9" * 30}, "无效，已显示第 1 页"),
    ({"page": "999"}, "没有第 999 页"),
    ({"year": "2020", "unit": "国务院", "sort": "year", "page": "1"}, None),
]


def _open(page, base: str, params: dict) -> None:
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(base + "/search/?" + urlencode(params, quote_via=quote))
    page.wait_for_function(
        "w => { const s = document.getElementById('search-status').textContent; return s && s !== w; }",
        arg=WORKING,
        timeout=20_000,
    )


@pytest.mark.parametrize(("params", "expected"), CASES, ids=[repr(p)[:40] for p, _ in CASES])
def test_invalid_parameters_show_a_message(page, demo_server, params, expected):
    _open(page, demo_server, {"q": QUERY, **params})
    status = page.locator("#search-status").inner_text()
    notice = page.locator("#search-notice")
    assert WORKING not in status and "检索出错" not in status, status
    if expected is None:
        assert notice.is_hidden()
    else:
        assert notice.is_visible() and expected in notice.inner_text()
    assert "找到" in status  # the search itself still ran
    assert page.locator(".search-result").count() >= 1
    assert page.failures == [] and page.dialogs == []
    assert page.evaluate("window.__ran") is None
    assert page.locator("#search-notice *, #search-status *").count() == 0  # text only, no markup


def test_reversed_year_range_filters_the_turned_range(page, demo_server):
    _open(page, demo_server, {"q": QUERY, "year": "2022-2020"})
    metas = page.locator(".search-result__meta").all_inner_texts()
    assert metas and all(m[:4] in {"2020", "2021", "2022"} for m in metas)


def test_markup_in_the_query_is_shown_as_text(page, demo_server):
    query = '"><img src=x onerror=window.__ran=1><b>粗'
    _open(page, demo_server, {"q": query})
    assert page.locator("#search-status").inner_text() == f"没有找到包含“{query}”的报告。"
    assert page.locator("main img, #search-status b").count() == 0
    assert page.input_value("#search-q") == query
    assert page.failures == [] and page.dialogs == [] and page.evaluate("window.__ran") is None


@pytest.mark.parametrize("status_code", [500, 404])
def test_a_broken_index_ends_in_a_message(page, demo_server, status_code):
    page.route("**/search/data/docs.json", lambda route: route.fulfill(status=status_code, body="坏了"))
    _open(page, demo_server, {"q": QUERY})
    assert page.locator("#search-status").inner_text().startswith("检索出错：")
    assert page.locator(".search-result").count() == 0
    assert page.failures == []
