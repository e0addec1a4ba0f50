"""The navigation rendered once and shared between pages: the same pages as rendering it on each.
Templates compiled once per source for all the builds of a process."""

from __future__ import annotations

import shutil

import jinja2
from conftest import ROOT, UNITS, Project, build_site, report_text, tree_differences

from report_archive.rendering import keep_compiled, share_renders


def test_a_template_is_compiled_once_per_source_for_every_environment(monkeypatch):
    """MkDocs makes a new environment for every build: the second compiles nothing, a changed source again."""
    compiled: list[str] = []
    compile_source = jinja2.Environment.compile

    def counted(self, source, name=None, filename=None, raw=False, defer_init=False):
        compiled.append(name)
        return compile_source(self, source, name, filename, raw, defer_init)

    monkeypatch.setattr(jinja2.Environment, "compile", counted)

    def render(source: str) -> str:  # one build's environment
        env = jinja2.Environment(loader=jinja2.DictLoader({"kept-code-test.html": source}))
        keep_compiled(env)
        return env.get_template("kept-code-test.html").render(x=1)

    assert render("one {{ x }}") == "one 1"
    assert compiled == ["kept-code-test.html"]
    assert render("one {{ x }}") == "one 1"
    assert compiled == ["kept-code-test.html"]  # the same source: its code from the first environment
    assert render("two {{ x }}") == "two 1"
    assert compiled == ["kept-code-test.html"] * 2


def test_a_shared_render_is_made_once_per_key():
    env = jinja2.Environment(
        loader=jinja2.DictLoader({"part.html": "[{{ page }}]", "page.html": '{% include "part.html" %}'})
    )
    renders = []
    part = env.get_template("part.html")
    render = part.root_render_func

    def counted(context):
        renders.append(context["page"])
        yield from render(context)

    part.root_render_func = counted
    share_renders(part, lambda context: None if context["page"] == "nav" else len(context["page"]))
    share_renders(part, lambda context: None)  # once wrapped, left as it is
    page = env.get_template("page.html")
    assert [page.render(page=p) for p in ("ab", "cd", "abc", "nav", "nav")] == [
        "[ab]",
        "[ab]",
        "[abc]",
        "[nav]",
        "[nav]",
    ]
    assert renders == ["ab", "abc", "nav", "nav"]  # "cd" shares the render of "ab" (same key)


def test_the_shared_navigation_gives_the_pages_each_page_would_render(tmp_path):
    """A site whose hook shares the navigation and one whose hook renders it on every page are the same."""
    project = Project(tmp_path / "project", UNITS)
    for year in (2020, 2021):
        for unit, person in (("市民政局", "张三"), ("区教育局", "王五")):
            body = f"# {unit}{year}年述职报告\n\n## 一、工作\n\n正文。\n"
            project.write(f"reports/{year}/{unit}.md", report_text(year, unit, person, body, title=f"{year}年述职"))
    shared = build_site(project.path, tmp_path / "shared")
    hooks = project.path / "hooks"
    hooks.unlink()
    hooks.mkdir()
    source = (ROOT / "hooks" / "archive.py").read_text(encoding="utf-8")
    assert source.count("rendering.share_renders(") == 1
    (hooks / "archive.py").write_text(source.replace("rendering.share_renders(", "(lambda *a: None)("), "utf-8")
    shutil.rmtree(project.path / ".cache", ignore_errors=True)
    each = build_site(project.path, tmp_path / "each")
    assert shared.returncode == each.returncode == 0, shared.stderr + each.stderr
    assert tree_differences(tmp_path / "shared", tmp_path / "each") == []
    page = (tmp_path / "shared" / "reports" / "2021" / "市民政局" / "index.html").read_text(encoding="utf-8")
    assert 'href="../../../years/"' in page and 'class="md-nav md-nav--primary"' in page
