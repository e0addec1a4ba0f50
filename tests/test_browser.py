"""A real browser walks the demo site by clicking, and nothing it loads leaves the site."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit


def _path(page) -> str:
    return unquote(urlsplit(page.url).path)


def test_home_year_report_unit_secretary_by_clicking(page, demo_server):
    page.goto(demo_server + "/")
    assert "本档案收录" in page.inner_text("article")

    page.get_by_role("navigation", name="导航栏").get_by_role("link", name="按年份").click()
    assert _path(page) == "/years/"
    page.get_by_role("link", name="2019 年", exact=True).click()
    assert _path(page) == "/years/2019/"
    assert "2019 年共有" in page.inner_text("article")

    page.locator("article table").get_by_role("link", name="政府工作报告").first.click()
    assert _path(page).startswith("/reports/2019/")
    header = page.locator("nav.report-header")
    unit = header.locator("dd a").nth(1).inner_text()
    person = header.locator("dd a").nth(2).inner_text()

    header.get_by_role("link", name=unit).click()
    assert _path(page) == f"/units/{unit}/"
    assert "历任报告人" in page.inner_text("article")

    page.locator("article table").get_by_role("link", name=person).first.click()
    assert _path(page) == f"/secretaries/{person}/"
    assert f"{unit}" in page.inner_text("article")

    assert page.failures == []
    hosts = {urlsplit(url).netloc for url in page.requests if not url.startswith("data:")}
    assert hosts == {urlsplit(demo_server).netloc}


def test_previous_and_next_report_of_the_unit(page, demo_server):
    page.goto(demo_server + "/reports/2019/国务院/")
    page.get_by_role("link", name="下一份：2020 年 »").click()
    assert _path(page) == "/reports/2020/国务院/"
    page.get_by_role("link", name="« 上一份：2019 年").click()
    assert _path(page) == "/reports/2019/国务院/"
