"""Review views: sections, the statistics page, and text reused from other reports."""

from __future__ import annotations

import random

import pytest

from report_archive import Archive, Registry, Report, Unit
from report_archive.reuse import SAMPLE, SHINGLE, SharedIndex, anywhere, compare, fingerprints
from report_archive.review import last_years_next_steps, review_pages, sections_of
from report_archive.sections import compile_patterns, find_sections
from report_archive.stats import bar_chart, stats_page

BODY = """# {year}年述职报告

## 一、履职情况

做了很多工作。

### （一）抓学习

学习{year}。

## 二、存在的问题

问题在于{year}年落实不够。

## 三、下一步工作思路

{year}年之后要继续努力。
"""


def _archive() -> Archive:
    registry = Registry([Unit("市民政局", 0), Unit("市财政局", 1), Unit("区教育局", 2)])
    reports = [
        Report(2021, "市民政局", "张三", "reports/2021/市民政局.md", body=BODY.format(year=2021)),
        Report(2022, "市民政局", "张三", "reports/2022/市民政局.md", body=BODY.format(year=2022)),
        Report(2022, "市财政局", "王五", "reports/2022/市财政局.md", body="# 报告\n\n## 工作回顾\n\n只有这一部分。\n"),
    ]
    return Archive(reports, registry)


def test_sections_found_by_heading_with_their_text():
    body = BODY.format(year=2022)
    found = find_sections(body, compile_patterns())
    assert found["work"].heading == "一、履职情况"
    work = found["work"].text_in(body)
    assert work.startswith("做了很多工作。") and work == work.strip()
    assert "（一）抓学习" in work and "问题在于" not in work
    assert found["problems"].text_in(body) == "问题在于2022年落实不够。"
    assert found["next"].heading == "三、下一步工作思路"


def test_patterns_are_configurable():
    found = find_sections("## 四、今后打算\n\n内容\n", compile_patterns({"next": [r"今后"]}))
    assert found["next"].heading == "四、今后打算"
    assert find_sections("## 四、今后\n\n内容\n", compile_patterns()) == {}


def test_review_page_side_by_side_and_unrecognised_listed():
    archive = _archive()
    pages = review_pages(archive, sections_of(archive, compile_patterns()))
    page = pages["review/2022/index.md"]
    assert "## 市民政局 · 张三" in page and "问题在于2022年落实不够。" in page and "2022年之后要继续努力。" in page
    assert page.index("市民政局 · 张三") < page.index("市财政局 · 王五")  # registry order
    assert '<div class="review-pair">\n<div class="review-pair__side">' in page
    assert "## 未能识别章节的报告" in page and "市财政局（王五）" in page and "缺少存在的问题、下一步打算" in page
    assert "[阅读全文](../../reports/2022/%E5%B8%82%E6%B0%91%E6%94%BF%E5%B1%80.md)" in page
    assert '<tr><td><a href="2022/">2022 年</a></td><td>2</td><td>1</td></tr>' in pages["review/index.md"]


def test_last_years_next_steps_panel():
    archive = _archive()
    found = sections_of(archive, compile_patterns())
    panel = last_years_next_steps(archive, archive.get("reports/2022/市民政局.md"), found)
    assert panel["year"] == "2021" and "2021年之后要继续努力。" in panel["html"]
    assert panel["url"] == "reports/2021/市民政局/"
    assert last_years_next_steps(archive, archive.get("reports/2021/市民政局.md"), found) is None


def test_sections_rendered_ahead_serve_the_review_pages_and_panels_without_converting(tmp_path, monkeypatch):
    """What a full build's second process leaves in the cache (``render_sections``) is all the review
    pages and the report panels need: made afterwards, they convert no Markdown and are the same."""
    from report_archive import review
    from report_archive.cache import Cache

    archive = _archive()
    found = sections_of(archive, compile_patterns())
    expected = review_pages(archive, found)
    panel = last_years_next_steps(archive, archive.get("reports/2022/市民政局.md"), found)
    cache = Cache(tmp_path / "cache")
    review.render_sections(archive, found, cache)

    def no_conversion(text):
        raise AssertionError(f"converted again: {text}")

    monkeypatch.setattr(review._MARKDOWN, "convert", no_conversion)
    assert review_pages(archive, found, Cache(tmp_path / "cache")) == expected
    assert last_years_next_steps(archive, archive.get("reports/2022/市民政局.md"), found, cache) == panel


def test_stats_matrix_totals_and_charts():
    page = stats_page(_archive())
    assert "**2022 年**：2 个单位已提交，1 个未提交。" in page
    pending = page[page.index("<details") : page.index("</details>")]
    assert "<summary>2022 年未提交的单位</summary>" in pending and "区教育局" in pending
    rows = [line for line in page.splitlines() if line.startswith("<tr><td><a")]
    assert rows[0] == '<tr><td><a href="../years/2022/">2022</a></td><td>1</td><td>1</td><td>—</td><td>2</td></tr>'
    assert rows[1] == '<tr><td><a href="../years/2021/">2021</a></td><td>1</td><td>—</td><td>—</td><td>1</td></tr>'
    assert "<tr><td><strong>合计</strong></td><td>2</td><td>1</td><td>0</td><td><strong>3</strong></td></tr>" in page
    assert page.count("<svg") == 2 and "每年报告的平均字数" in page


def test_bar_chart_is_plain_svg_with_titles():
    svg = bar_chart([("2021", 2), ("2022", 4)], "每年的报告数", " 份")
    assert svg.startswith("<svg") and svg.endswith("</svg>") and "<script" not in svg
    assert "<title>2022：4 份</title>" in svg and 'height="160.0"' in svg


def _text(rng: random.Random, length: int) -> str:
    return "".join(chr(0x4E00 + rng.randrange(3000)) for _ in range(length))


def test_reuse_share_of_a_known_overlap():
    rng = random.Random(3)
    earlier = _text(rng, 4000)
    copied = earlier[500:2500]  # 2,000 characters taken from the earlier report
    later = _text(rng, 1000) + copied + _text(rng, 1000)  # 50 % repeated
    other = _text(rng, 3000)
    result = compare([earlier, later, other], [None, 0, None])
    assert abs(result[1].previous - 0.5) < 0.03
    assert abs(result[1].anywhere - 0.5) < 0.03
    assert result[2].anywhere < 0.01 and result[2].previous == 0.0
    (start, end), *rest = result[1].previous_spans
    slack = 2 * SHINGLE + SAMPLE  # sampling can miss the last few shingles of a passage
    assert rest == [] and abs(start - 1000) <= slack and abs(end - 3000) <= slack


# the new hashes merged into the large array: hardly ever, now and then, after every update
@pytest.mark.parametrize("merge_share", [1, 64, 10**9])
def test_shared_index_updates_give_the_figures_of_a_full_comparison(monkeypatch, merge_share):
    """A serve session's report-by-report update equals ``anywhere`` over the final texts."""
    monkeypatch.setattr(SharedIndex, "MERGE_SHARE", merge_share)
    rng = random.Random(7)
    sentences = [_text(rng, rng.randint(30, 120)) for _ in range(40)]

    def report() -> str:  # passages shared with other reports, in any order, some own text
        return "".join(rng.choice(sentences) if rng.random() < 0.4 else _text(rng, 60) for _ in range(25))

    texts = {f"r{i}": report() for i in range(30)}
    texts["twin"] = texts["r0"]  # the same text under two paths
    texts["pair-a"] = texts["pair-b"] = _text(rng, 3000)  # shares all of its text with one other only

    def state(texts):
        paths = sorted(texts)
        prints = {p: fingerprints(texts[p]) for p in paths}
        keys = {p: str(hash(texts[p])) for p in paths}
        return paths, keys, prints

    paths, keys, prints = state(texts)
    index = SharedIndex(keys, prints, dict(zip(paths, anywhere([prints[p] for p in paths]), strict=True)))
    assert SharedIndex(keys, prints).figures == index.figures  # worked by the index itself: the same
    last, moved, path, recent = {}, 0, "", 0
    for step in range(15):
        kind = step % 3
        others = sorted(p for p in texts if not p.startswith(("pair", "copy")))
        if step == 12:  # pair-a's text is no longer anywhere else
            path = "pair-b"
            texts[path] = _text(rng, 3000)
        elif step == 13:  # a copy of a report: all of its text shared at once, then no longer
            path = "copy"
            texts[path] = texts[others[0]] + _text(rng, 100)
        elif step == 14:
            del texts["copy"]
        elif kind == 0:  # edit: a passage added, one removed
            path = rng.choice(others)
            texts[path] = texts[path][200:] + rng.choice(sentences)
        elif kind == 1:
            texts[f"new{step}"] = report()
        else:
            del texts[rng.choice(others)]
        paths, keys, prints = state(texts)
        updated = index.update(keys, prints)
        recent = max(recent, len(index.recent))
        full = anywhere([prints[p] for p in paths])
        assert [updated[p] for p in paths] == full, step
        assert any(f.anywhere > 0 for f in full)
        # reports whose text stayed the same but whose figure moved (shared passages came or went)
        moved += sum(1 for p in paths if p in last and p != path and last[p] != updated[p].anywhere)
        last = {p: updated[p].anywhere for p in paths}
    assert moved > 0 and last["pair-a"] == 0
    assert (recent > 0) == (merge_share < 10**9)  # new hashes waited in the small array for a merge


def test_reuse_worked_in_a_second_process_equals_reuse_worked_here():
    from report_archive.reuse import attach, attach_later

    here, there = _archive(), _archive()
    attach(here)
    wait = attach_later(there)
    assert wait is not None and there.reuse == {}  # nothing yet: the figures come from the other process
    wait()
    assert there.reuse == here.reuse and there.reuse["reports/2022/市民政局.md"].previous > 0.5


def test_reuse_failing_in_the_second_process_is_an_error_here():
    from report_archive.reuse import attach_later

    archive = _archive()
    archive.reports.append(None)  # not a report: attach fails in the other process
    wait = attach_later(archive)
    assert wait is not None
    with pytest.raises(RuntimeError, match="重复率计算失败"):
        wait()


def test_reuse_figures_compare_by_their_spans_too():
    import numpy as np

    from report_archive.reuse import Reuse

    spans = np.array([[0, 40]], np.int32)
    assert Reuse(0.5, 0.5, spans, spans) == Reuse(0.5, 0.5, spans.copy(), spans.copy())
    assert Reuse(0.5, 0.5, spans, spans) != Reuse(0.5, 0.5, spans, np.array([[0, 41]], np.int32))
    assert Reuse(0.5, 0.5) != Reuse(0.5, 0.4) and Reuse() == Reuse()
