"""Index pages as Markdown: pure functions from the archive to page source.

Every page is addressed by its source path under the docs directory (``years/2022/index.md``);
MkDocs turns those into URLs (``years/2022/``) and resolves the relative Markdown links between
them. Tables and other large parts are ready HTML blocks inside that Markdown (see ``ready``):
Markdown never converts them, and their links are relative directory URLs made here.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import re
from collections.abc import Callable, Iterable
from urllib.parse import quote, urlencode

from .archive import Archive
from .cache import Deferred, code_version, digest
from .model import Report

HOME_MARKER = "<!-- archive:summary -->"
_SLUG_BAD_RE = re.compile(r"[\s/\\?#%]+")
# Characters Markdown (with the tables extension) would read as syntax, exactly the ones it lets a
# backslash escape (any other backslash would show); '<', '>' and '&' become entities instead.
_MD_SPECIAL_RE = re.compile(r"([\\`*_{}\[\]()#+\-.!|])")


def slug(name: str) -> str:
    """A path segment for a unit or person: white space dropped, URL-breaking characters replaced."""
    return _SLUG_BAD_RE.sub("-", re.sub(r"\s+", "", name)).strip("-") or "-"


def year_page(year: int) -> str:
    return f"years/{year}/index.md"


def unit_page(unit: str) -> str:
    return f"units/{slug(unit)}/index.md"


def secretary_page(name: str) -> str:
    return f"secretaries/{slug(name)}/index.md"


YEARS_INDEX = "years/index.md"
UNITS_INDEX = "units/index.md"
SECRETARIES_INDEX = "secretaries/index.md"
# The generated pages that belong in the site navigation; all others stay out of it.
NAV_PAGES = (YEARS_INDEX, UNITS_INDEX, SECRETARIES_INDEX)


def page_url(src: str) -> str:
    """The directory URL MkDocs gives a page source path (``a/b.md`` -> ``a/b/``)."""
    if src.endswith("index.md"):
        return src[: -len("index.md")]
    return src[: -len(".md")] + "/"


def esc(text: object) -> str:
    """Plain text safe inside Markdown inline content and table cells: shown as it is, never markup.

    HTML's special characters become entities (Markdown leaves those alone), Markdown's are
    backslash-escaped, line breaks become spaces.
    """
    return html.escape(_MD_SPECIAL_RE.sub(r"\\\1", " ".join(str(text).splitlines())), quote=True)


def directory_url(src: str) -> str:
    """The directory URL of a page, from its source path (a Markdown page or a ready ``index.html``)."""
    return src[: -len("index.html")] if src.endswith("/index.html") else page_url(src)


def relative_url(source: str, target: str) -> str:
    """The relative URL from page ``source``'s directory URL to ``target`` (a path from the site root).

    Worked on the strings alone (``posixpath.relpath`` asks the OS for the working folder twice
    per call, most of the time of a serve rebuild's index pages).
    """
    return quote(relative(target, directory_url(source) + "index.html") or "./")


def html_link(text: object, target: str, source: str) -> str:
    """A raw HTML link to a page's directory URL (``target`` a source path), relative to ``source``'s.

    For large generated tables: raw HTML passes through Markdown far faster than Markdown links.
    """
    href = relative_url(source, directory_url(target))
    return f'<a href="{html.escape(href)}">{html.escape(str(text))}</a>'


def relative(target: str, source: str) -> str:
    """The path from page ``source`` to file ``target`` (both docs-relative, normalised, no '..')."""
    here = source.split("/")[:-1]
    there = target.split("/")
    common = 0
    while common < len(here) and common < len(there) - 1 and here[common] == there[common]:
        common += 1
    return "/".join([".."] * (len(here) - common) + there[common:])


def link(text: object, target: str, source: str) -> str:
    """A Markdown link from page ``source`` to page ``target`` (both docs-relative paths)."""
    return f"[{esc(text)}]({quote(relative(target, source))})"


# Ready HTML in a generated page: MkDocs converts the Markdown around it, never the block itself.
# Python-Markdown spends far longer on large tables, and on raw HTML it must parse to find the end
# of, than the page's template does; a block is put back into the page's HTML after conversion.
READY_OPEN, READY_CLOSE = "<!-- archive:ready -->", "<!-- /archive:ready -->"
_READY_RE = re.compile(re.escape(READY_OPEN) + r"\n(.*?)\n" + re.escape(READY_CLOSE), re.DOTALL)
_SLOT_RE = re.compile(r"<!-- archive:slot (\d+) -->")


def ready(block: str) -> str:
    """``block`` (HTML, every text in it escaped) as a ready block of a generated page's Markdown."""
    return f"\n{READY_OPEN}\n{block}\n{READY_CLOSE}\n\n"


def split_ready(markdown: str) -> tuple[str, list[str]]:
    """A generated page's Markdown with each ready block replaced by a numbered slot, and the blocks."""
    blocks: list[str] = []

    def slot(match: re.Match[str]) -> str:
        blocks.append(match.group(1))
        return f"<!-- archive:slot {len(blocks) - 1} -->"

    return _READY_RE.sub(slot, markdown), blocks


def join_ready(html_text: str, blocks: list[str]) -> str:
    """The page's HTML with its slots filled; an error if Markdown lost or repeated a slot."""
    found = [int(n) for n in _SLOT_RE.findall(html_text)]
    if sorted(found) != list(range(len(blocks))):
        raise ValueError(f"生成页面的 HTML 块未能放回（应有 {len(blocks)} 个，找到 {found}）")
    return _SLOT_RE.sub(lambda m: blocks[int(m.group(1))], html_text)


def year_ranges(years: Iterable[int]) -> str:
    """1954, 1955, 1956, 1964 -> '1954–1956、1964'."""
    spans: list[list[int]] = []
    for year in sorted(set(years)):
        if spans and year == spans[-1][1] + 1:
            spans[-1][1] = year
        else:
            spans.append([year, year])
    return "、".join(str(a) if a == b else f"{a}–{b}" for a, b in spans)


def table_html(header: list[str], rows: Iterable[list[str]]) -> str:
    """An HTML table (cells are HTML) as Markdown's tables extension writes one, so it looks the same."""
    head = "".join(f"<th>{h}</th>" for h in header)
    body = "\n".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table>\n<thead>\n<tr>{head}</tr>\n</thead>\n<tbody>\n{body}\n</tbody>\n</table>"


def _table(header: list[str], rows: Iterable[list[str]]) -> str:
    """A table of a generated page, as a ready block (cells are HTML)."""
    return ready(table_html(header, rows))


def text(value: object) -> str:
    """Plain text as HTML (for ready blocks): shown as it is, never markup."""
    return html.escape(str(value), quote=True)


def _num(n: int) -> str:
    return f"{n:,}"


def percent(share: float | None) -> str:
    return "—" if share is None else f"{share:.0%}"


def _reports_table(archive: Archive, reports: list[Report], source: str, columns: tuple[str, ...]) -> str:
    cells = {
        "year": ("年份", lambda r: html_link(r.year, year_page(r.year), source)),
        "unit": ("单位", lambda r: html_link(r.unit, unit_page(archive.unit_of(r)), source)),
        "secretary": ("报告人", lambda r: html_link(r.secretary, secretary_page(r.secretary), source)),
        "position": ("职务", lambda r: text(r.position)),
        "title": ("标题", lambda r: html_link(r.title, r.path, source)),
        "length": ("字数", lambda r: _num(r.length)),
        "reuse": ("与本单位上一份重复", lambda r: _reused(archive, r)),
    }
    return _table([cells[c][0] for c in columns], ([cells[c][1](r) for c in columns] for r in reports))


def _reused(archive: Archive, report: Report) -> str:
    """The share of the report found in the same unit's previous one (a year page's column)."""
    figures = archive.reuse.get(report.path)
    previous, _ = archive.neighbours(report)
    return percent(figures.previous if figures is not None and previous is not None else None)


def years_index(archive: Archive) -> str:
    source = YEARS_INDEX
    rows = (
        [
            html_link(f"{year} 年", year_page(year), source),
            str(len(archive.by_year[year])),
            str(_units_in(archive, year)),
        ]
        for year in reversed(archive.years)
    )
    intro = f"档案共收录 {len(archive.years)} 个年份的 {len(archive.reports)} 份报告。\n\n"
    return "# 按年份浏览\n\n" + intro + _table(["年份", "报告数", "单位数"], rows)


def _units_in(archive: Archive, year: int) -> int:
    return len({archive.unit_of(r) for r in archive.by_year[year]})


def year_detail(archive: Archive, year: int) -> str:
    source = year_page(year)
    reports = sorted(archive.by_year[year], key=lambda r: (archive.registry.sort_key(archive.unit_of(r)), r.path))
    years = archive.years
    index = years.index(year)
    nav = [link("全部年份", YEARS_INDEX, source)]
    if index > 0:
        nav.insert(0, link(f"« {years[index - 1]} 年", year_page(years[index - 1]), source))
    if index + 1 < len(years):
        nav.append(link(f"{years[index + 1]} 年 »", year_page(years[index + 1]), source))
    return (
        f"# {year} 年\n\n{' · '.join(nav)}\n\n{year} 年共有 {len(reports)} 份报告，"
        f"来自 {_units_in(archive, year)} 个单位。\n\n"
        + _reports_table(archive, reports, source, ("unit", "secretary", "position", "title", "length", "reuse"))
    )


def units_index(archive: Archive) -> str:
    source = UNITS_INDEX
    rows = (
        [
            html_link(unit, unit_page(unit), source),
            year_ranges(r.year for r in archive.by_unit[unit]),
            str(len(archive.by_unit[unit])),
        ]
        for unit in archive.units
    )
    intro = f"档案收录了 {len(archive.units)} 个单位的报告。\n\n"
    return "# 按单位浏览\n\n" + intro + _table(["单位", "年份", "报告数"], rows)


def terms_of_office(reports: list[Report]) -> list[tuple[str, str, list[Report]]]:
    """Consecutive terms: (person, years, their reports) in year order."""
    terms: list[tuple[str, list[Report]]] = []
    for report in sorted(reports, key=lambda r: (r.year, r.path)):
        if terms and terms[-1][0] == report.secretary:
            terms[-1][1].append(report)
        else:
            terms.append((report.secretary, [report]))
    return [(name, year_ranges(r.year for r in items), items) for name, items in terms]


def timeline(reports: list[Report], current: str, source: str) -> str:
    """The succession of reporting persons as a timeline (an ordered list styled as one; a ready block).

    Each entry names the person's positions, and the unit's name at the time where it differs
    from ``current``, today's name.
    """
    items = []
    for name, years, term in terms_of_office(reports):
        positions = "、".join(dict.fromkeys(r.position for r in term if r.position))
        former = "、".join(dict.fromkeys(r.unit for r in term if r.unit != current))
        detail = " · ".join(part for part in (positions, f"时称{former}" if former else "") if part)
        items.append(
            f'<li><span class="timeline__years">{years}</span> '
            f"{html_link(name, secretary_page(name), source)}{f' <small>{text(detail)}</small>' if detail else ''}</li>"
        )
    return ready('<ol class="timeline">\n' + "\n".join(items) + "\n</ol>")


def unit_detail(archive: Archive, unit: str) -> str:
    source = unit_page(unit)
    reports = sorted(archive.by_unit[unit], key=lambda r: (-r.year, r.path))
    info = archive.registry.get(unit)
    lines = [f"# {esc(unit)}\n"]
    if info and info.parent:
        lines.append(f"上级单位：{esc(info.parent)}\n")
    lines.append(f"共 {len(reports)} 份报告，年份：{year_ranges(r.year for r in reports)}。\n")
    formerly = [
        f"{esc(f.name)}（至 {f.until} 年）" if f.until else esc(f.name) for f in (info.formerly if info else ())
    ]
    if formerly:
        lines.append(f"曾用名：{'、'.join(formerly)}。以旧名称提交的报告也列在这里。\n")
    lines.append("## 历任报告人\n")
    lines.append(timeline(reports, unit, source))
    lines.append("## 历年报告\n")
    if any(r.unit != unit for r in reports):
        columns: tuple[str, ...] = ("year", "unit", "secretary", "position", "title", "length")
    else:
        columns = ("year", "secretary", "position", "title", "length")
    lines.append(_reports_table(archive, reports, source, columns))
    return "\n".join(lines)


def secretaries_index(archive: Archive) -> str:
    source = SECRETARIES_INDEX
    rows = []
    for name in archive.secretaries:
        reports = archive.by_secretary[name]
        units = sorted({archive.unit_of(r) for r in reports}, key=archive.registry.sort_key)
        rows.append(
            [
                html_link(name, secretary_page(name), source),
                "、".join(text(u) for u in units),
                year_ranges(r.year for r in reports),
                str(len(reports)),
            ]
        )
    intro = f"档案中共有 {len(rows)} 位报告人。\n\n"
    return "# 按书记浏览\n\n" + intro + _table(["姓名", "单位", "年份", "报告数"], rows)


def secretary_detail(archive: Archive, name: str) -> str:
    source = secretary_page(name)
    reports = sorted(archive.by_secretary[name], key=lambda r: (-r.year, r.path))
    units = sorted({archive.unit_of(r) for r in reports}, key=archive.registry.sort_key)
    summary = "；".join(
        f"{link(u, unit_page(u), source)}（{year_ranges(r.year for r in reports if archive.unit_of(r) == u)}）"
        for u in units
    )
    table = _reports_table(archive, reports, source, ("year", "unit", "position", "title", "length"))
    return f"# {esc(name)}\n\n共 {len(reports)} 份报告。报告单位：{summary}。\n\n" + table


def home_summary(archive: Archive, source: str = "index.md") -> str:
    """The home page's account of what the archive holds; replaces HOME_MARKER."""
    if not archive.reports:
        return "档案中还没有报告。请按照编辑指南添加第一份报告。\n"
    years = archive.years
    latest = years[-1]
    latest_reports = sorted(
        archive.by_year[latest], key=lambda r: (archive.registry.sort_key(archive.unit_of(r)), r.path)
    )
    lines = [
        f"本档案收录 **{len(archive.reports)}** 份报告，涉及 **{len(archive.units)}** 个单位、"
        f"**{len(years)}** 个年份（{years[0]}–{latest}），报告人 **{len(archive.secretaries)}** 位。\n",
        f"- {link('按年份浏览', YEARS_INDEX, source)}：每一年有哪些报告",
        f"- {link('按单位浏览', UNITS_INDEX, source)}：每个单位历年的报告和报告人",
        f"- {link('按书记浏览', SECRETARIES_INDEX, source)}：每位报告人在哪些单位、哪些年份作过报告\n",
        f"## 最新年份：{link(f'{latest} 年', year_page(latest), source)}\n",
        _reports_table(archive, latest_reports, source, ("unit", "secretary", "position", "title")),
    ]
    return "\n".join(lines)


def generated_pages(archive: Archive, with_reuse: bool = True) -> dict[str, str]:
    """Every index page (without ``reuse_pages`` if not ``with_reuse``): docs-relative source path -> Markdown."""
    return {src: page.make() for src, page in index_pages(archive, with_reuse).items()}


def index_pages(archive: Archive, with_reuse: bool = True) -> dict[str, Deferred]:
    """``generated_pages``, each made only when its key is new.

    A key names all its page shows of the archive: the signatures of the reports it lists (path,
    front matter, text, unit), the registry, the code, and what else the page reads. An edit then
    changes the keys of the few pages that show the edited report, and only those are made again.
    """
    base = base_key(archive)
    pages = {
        src: keyed(archive, base, kind, "", archive.reports, functools.partial(make, archive))  # every report
        for src, kind, make in (
            (YEARS_INDEX, "years-index", years_index),
            (UNITS_INDEX, "units-index", units_index),
            (SECRETARIES_INDEX, "secretaries-index", secretaries_index),
        )
    }
    if with_reuse:
        pages |= keyed_reuse_pages(archive)
    for unit in archive.units:
        make = functools.partial(unit_detail, archive, unit)
        pages[unit_page(unit)] = keyed(archive, base, "unit", unit, archive.by_unit[unit], make)
    for name in archive.secretaries:
        make = functools.partial(secretary_detail, archive, name)
        pages[secretary_page(name)] = keyed(archive, base, "secretary", name, archive.by_secretary[name], make)
    return pages


def base_key(archive: Archive, *more: str) -> str:
    """What every generated page depends on: the code and the registry (names, order, former names),
    and ``more`` of what a kind of page depends on."""
    return digest(code_version(), repr(archive.registry.units), *more)


def keyed(
    archive: Archive, base: str, kind: str, name: object, reports: list[Report], make: Callable[[], str], *extra: str
) -> Deferred:
    """A page listing ``reports``, made by ``make`` when its key is new (``base`` from ``base_key``)."""
    listed = [archive.whole_signature] if reports is archive.reports else map(archive.signature, reports)
    return Deferred(digest(kind, base, str(name), *extra, *listed), make)


def reuse_pages(archive: Archive) -> dict[str, str]:
    """The index pages that show reuse figures (``archive.reuse`` must be attached): the year pages."""
    return {src: page.make() for src, page in keyed_reuse_pages(archive).items()}


def keyed_reuse_pages(archive: Archive, decorate: Callable[[int, str], str] | None = None) -> dict[str, Deferred]:
    """``reuse_pages``, each made only when its key is new; ``decorate(year, markdown)`` adds to a page."""
    base, years = base_key(archive), repr(archive.years)
    pages = {}
    for year in archive.years:
        reports = archive.by_year[year]
        make = functools.partial(_year_detail, archive, year, decorate)
        cells = [_reused(archive, r) for r in reports]
        linked = "decorated" if decorate else ""
        pages[year_page(year)] = keyed(archive, base, "year", year, reports, make, years, linked, *cells)
    return pages


def _year_detail(archive: Archive, year: int, decorate: Callable[[int, str], str] | None) -> str:
    markdown = year_detail(archive, year)
    return decorate(year, markdown) if decorate else markdown


def reuse_pages_sources(archive: Archive) -> list[str]:
    """``reuse_pages``' source paths, known before the figures are."""
    return [year_page(y) for y in archive.years]


def _unit_label(archive: Archive, report: Report) -> str:
    """The unit as the report names it, with today's name when it has changed since."""
    current = archive.unit_of(report)
    return report.unit if current == report.unit else f"{report.unit}（现{current}）"


def report_header(archive: Archive, report: Report, changed: object = None) -> dict[str, object]:
    """What a report page shows above its text; URLs are site-root-relative directory URLs.

    ``changed`` is the date of the report's last commit (None when unknown or not committed).
    """
    previous, following = archive.neighbours(report)

    def neighbour(other: Report | None) -> dict[str, str] | None:
        if other is None:
            return None
        return {"url": page_url(other.path), "year": str(other.year), "title": other.title}

    return {
        "year": {"text": f"{report.year} 年", "url": page_url(year_page(report.year))},
        "unit": {"text": _unit_label(archive, report), "url": page_url(unit_page(archive.unit_of(report)))},
        "secretary": {"text": report.secretary, "url": page_url(secretary_page(report.secretary))},
        "position": report.position,
        "kind": report.kind,
        "date": str(report.meta.get("date") or ""),
        "length": _num(report.length),
        "previous": neighbour(previous),
        "next": neighbour(following),
        "changed": str(changed) if changed else "",
    }


NEW_REPORT_MARKER = "<!-- archive:new-report-links -->"
NEW_REPORT_TEMPLATE = """---
year: {year}
unit: 单位名称
secretary: 报告人姓名
position: 党组书记
---

# {year}年述职报告

正文……
"""


def new_report_url(repo_url: str, edit_uri: str, year: int) -> str:
    """GitHub's "new file" page in ``docs/reports/<year>/``, prefilled with a front-matter template."""
    branch = (edit_uri or "edit/main/docs/").strip("/").split("/")
    branch_name = branch[1] if len(branch) > 1 and branch[0] in ("edit", "blob") else "main"
    folder = "/".join(branch[2:]) if len(branch) > 2 else "docs"
    query = urlencode({"filename": "单位名称.md", "value": NEW_REPORT_TEMPLATE.format(year=year)}, quote_via=quote)
    return f"{repo_url.rstrip('/')}/new/{branch_name}/{folder}/reports/{year}?{query}"


def new_report_links(archive: Archive, repo_url: str | None, edit_uri: str | None, count: int = 5) -> str:
    """Links that open GitHub's new-file page for the coming year and the years before it."""
    if not repo_url:
        return "（未设置 `repo_url`，无法生成链接。请在 `mkdocs.yml` 中设置仓库地址。）\n"
    latest = max(archive.years[-1] if archive.years else 0, dt.date.today().year)
    years = range(latest + 1, latest + 1 - count, -1)
    return "\n".join(f"- [添加 {y} 年的报告]({new_report_url(repo_url, edit_uri or '', y)})" for y in years) + "\n"
