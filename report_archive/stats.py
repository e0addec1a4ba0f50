"""The statistics page: who submitted which year, and charts drawn as SVG at build time.

The SVG is part of the generated Markdown page (raw HTML passes through Markdown), so it needs no
script and no chart library; its text uses the page's own (system, Chinese) font.
"""

from __future__ import annotations

import functools
from collections import Counter
from html import escape

from .archive import Archive
from .cache import Deferred
from .pages import base_key, html_link, keyed, ready, table_html, text, unit_page, year_page

STATS_PAGE = "stats/index.md"


def bar_chart(items: list[tuple[str, float]], title: str, unit: str = "") -> str:
    """A vertical bar chart as one line of SVG; labels every few bars so they stay readable."""
    if not items:
        return ""
    bar, gap, height, top, bottom, left = 14, 4, 160, 16, 34, 44
    width = left + len(items) * (bar + gap)
    peak = max(value for _, value in items) or 1
    step = max(1, len(items) // 12)
    parts = [
        f'<svg class="archive-chart" role="img" viewBox="0 0 {width} {top + height + bottom}" '
        f'width="{width}" height="{top + height + bottom}" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<text x="{left}" y="11" class="archive-chart__axis">{escape(f"最大值 {peak:,.0f}{unit}")}</text>',
    ]
    for index, (label, value) in enumerate(items):
        x = left + index * (bar + gap)
        h = round(value / peak * height, 1)
        parts.append(
            f'<rect x="{x}" y="{top + height - h}" width="{bar}" height="{h}" class="archive-chart__bar">'
            f"<title>{escape(f'{label}：{value:,.0f}{unit}')}</title></rect>"
        )
        if index % step == 0:
            parts.append(
                f'<text x="{x + bar / 2}" y="{top + height + 14}" text-anchor="middle" '
                f'class="archive-chart__label">{escape(label)}</text>'
            )
    base = top + height
    parts.append(f'<line x1="{left}" x2="{width}" y1="{base}" y2="{base}" class="archive-chart__axis"/>')
    parts.append("</svg>")
    return "".join(parts)


def stats_page(archive: Archive) -> str:
    """Markdown of /stats/: the submission matrix with totals, and two charts."""
    source = STATS_PAGE
    years = list(reversed(archive.years))
    units = [u.name for u in archive.registry.units] or archive.units
    units += [u for u in archive.units if u not in units]  # reports of unregistered units, if any
    lines = ["# 统计", ""]
    if not years:
        return "# 统计\n\n档案中还没有报告。\n"
    latest = years[0]
    latest_units = {archive.unit_of(r) for r in archive.by_year[latest]}
    missing = [u for u in units if u not in latest_units]

    # The unit list, the matrix and the charts are ready HTML blocks (see ``pages.ready``).
    def unit_cell(unit: str) -> str:  # a unit with no report yet has no page to link to
        return html_link(unit, unit_page(unit), source) if unit in archive.by_unit else text(unit)

    submitted = len(latest_units)
    lines.append(f"**{latest} 年**：{submitted} 个单位已提交，{len(missing)} 个未提交。")
    if missing:
        pending = "、".join(unit_cell(u) for u in missing)
        lines.append(ready(f"<details><summary>{latest} 年未提交的单位</summary>\n<p>{pending}</p>\n</details>"))
    lines += ["", "## 报告提交情况", "", "每格是该单位该年的报告数，“—”表示没有报告。", ""]
    counted = Counter((r.year, archive.unit_of(r)) for r in archive.reports)

    rows = []
    for year in years:
        counts = [counted[year, u] for u in units]
        cells = [str(c) if c else "—" for c in counts]
        rows.append([html_link(year, year_page(year), source), *cells, str(sum(counts))])
    totals = [str(len(archive.by_unit.get(u, []))) for u in units]
    rows.append(["<strong>合计</strong>", *totals, f"<strong>{len(archive.reports)}</strong>"])
    lines.append(ready(table_html(["年份", *[unit_cell(u) for u in units], "合计"], rows)))
    per_year = [(str(y), float(len(archive.by_year[y]))) for y in archive.years]
    average = [(str(y), sum(r.length for r in archive.by_year[y]) / len(archive.by_year[y])) for y in archive.years]
    lines += ["## 每年的报告数", "", ready(bar_chart(per_year, "每年的报告数", " 份"))]
    lines += ["## 每年报告的平均字数", "", ready(bar_chart(average, "每年报告的平均字数", " 字"))]
    return "\n".join(lines)


def keyed_stats_page(archive: Archive) -> Deferred:
    """``stats_page``, made only when its key is new: the registry and every report (by signature)."""
    return keyed(archive, base_key(archive), "stats", "", archive.reports, functools.partial(stats_page, archive))
