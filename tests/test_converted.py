"""Conversions kept between builds: only those whose HTML depends on the Markdown alone."""

from __future__ import annotations

import logging

from report_archive.cache import Cache
from report_archive.converted import Conversions, Converted, self_contained


def test_html_that_links_to_another_file_is_not_self_contained():
    assert self_contained('<p>正文<a href="#fn:1">1</a><a href="https://example.org/x">外</a></p>')
    assert self_contained("<p>没有链接</p><p>href 这个词</p>")
    assert self_contained('<a href="mailto:a@b.cn">信</a>')
    assert not self_contained('<a href="../2021/市民政局/">去年</a>')
    assert not self_contained('<img alt="" src="图.png">')
    assert not self_contained("<a href=/reports/>首页</a>")
    assert not self_contained("<a HREF='x.md#a'>x</a>")
    assert not self_contained('<a href="">空</a>')


def _converted(html: str = "<h2 id='a'>一</h2>") -> Converted:
    return Converted(html, [{"level": 2, "id": "a", "name": "一", "children": []}], frozenset({"a"}), {})


def test_a_conversion_is_kept_for_the_same_markdown_page_and_setup(tmp_path):
    first = Conversions(Cache(tmp_path), "setup")
    assert not first.before("reports/2022/a.md", "## 一", titled=True)
    first.after("reports/2022/a.md", _converted())
    later = Conversions(Cache(tmp_path), "setup")
    assert later.before("reports/2022/a.md", "## 一", titled=True)
    assert later.found("reports/2022/a.md") == _converted() and later.found("reports/2022/a.md") is None
    assert not later.before("reports/2022/a.md", "## 二", titled=True)  # other Markdown
    assert not later.before("reports/2022/b.md", "## 一", titled=True)  # another page
    assert not Conversions(Cache(tmp_path), "other setup").before("reports/2022/a.md", "## 一", titled=True)
    assert not later.before("reports/2022/a.md", "## 一", titled=False)  # its title would come from the HTML


def test_no_conversion_is_kept_without_a_title_with_a_link_or_a_warning(tmp_path):
    conversions = Conversions(Cache(tmp_path), "setup")
    conversions.before("a.md", "甲", titled=False)
    conversions.after("a.md", _converted())
    conversions.before("b.md", "乙", titled=True)
    conversions.after("b.md", _converted('<a href="../c/">丙</a>'))
    conversions.before("c.md", "丙", titled=True)
    logging.getLogger("mkdocs.structure.pages").warning("转换时的警告")
    conversions.after("c.md", _converted())
    later = Conversions(Cache(tmp_path), "setup")
    assert not any(later.before(src, md, titled=True) for src, md in (("a.md", "甲"), ("b.md", "乙"), ("c.md", "丙")))
    assert conversions.converted == 3


def test_nothing_is_kept_without_a_cache_folder():
    conversions = Conversions(Cache(None), "setup")
    assert not conversions.before("a.md", "甲", titled=True)
    conversions.after("a.md", _converted())
    assert not conversions.before("a.md", "甲", titled=True)
