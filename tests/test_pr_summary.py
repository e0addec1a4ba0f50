"""scripts/pr_summary.py on a temporary git repository."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, report_text


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def _write(repo: Path, rel: str, text: str) -> None:
    path = repo / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _new_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "archive"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "config", "user.email", "test@example.invalid")
    _git(repo, "config", "user.name", "测试")
    return repo


def test_summary_of_added_changed_removed_and_invalid_reports(tmp_path):
    repo = _new_repo(tmp_path)
    _write(repo, "units.yml", "- name: 市民政局\n- name: 市财政局\n- name: 区教育局\n")
    _write(repo, "docs/reports/2021/市民政局.md", report_text(year=2021, body="# 标题\n\n第一段。\n\n第二段。\n"))
    _write(repo, "docs/reports/2021/市财政局.md", report_text(year=2021, unit="市财政局", secretary="王五"))
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "base")

    _write(repo, "docs/reports/2021/市民政局.md", report_text(year=2021, body="# 标题\n\n第一段，改过。\n"))
    (repo / "docs/reports/2021/市财政局.md").unlink()
    _write(repo, "docs/reports/2022/市民政局.md", report_text(year=2022, secretary="李四"))
    _write(repo, "docs/reports/2022/区教育局.md", report_text(year=2022, unit="区教育局", secretery="赵六"))

    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "pr_summary.py"), "main", "--repo", str(repo)],
        capture_output=True,
        text=True,
    )
    out = result.stdout
    assert result.returncode == 1, result.stderr  # a touched report has a problem
    assert "新增 **2** 份，修改 **1** 份，删除 **1** 份" in out
    assert "涉及年份：2021–2022" in out and "市民政局" in out and "市财政局" in out and "区教育局" in out
    added = out[out.index("### 新增") : out.index("### 修改")]
    assert "`reports/2022/市民政局.md` | 2022 | 市民政局 | 李四" in added
    changed = out[out.index("### 修改") : out.index("### 删除")]
    assert "`reports/2021/市民政局.md` | 2021 | 市民政局 | 张三 | +1 / −3 |" in changed
    removed = out[out.index("### 删除") : out.index("### 检查")]
    assert "`reports/2021/市财政局.md` | 2021 | 市财政局 | 王五" in removed
    assert "❌ 发现 1 个问题" in out
    assert "- `reports/2022/区教育局.md:5`：未知的键“secretery”，是否应为“secretary”？" in out


def test_summary_without_changes(tmp_path):
    repo = _new_repo(tmp_path)
    _write(repo, "units.yml", "- name: 市民政局\n")
    _write(repo, "docs/reports/2021/市民政局.md", report_text(year=2021))
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "base")
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "pr_summary.py"), "HEAD", "--repo", str(repo)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0
    assert "本次改动没有涉及报告" in result.stdout and "✅" in result.stdout
    assert "需要维护者审核" not in result.stdout


def _summary(repo: Path, base: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "pr_summary.py"), base, "--repo", str(repo)],
        capture_output=True,
        text=True,
    )


def _base_repo(tmp_path: Path) -> Path:
    repo = _new_repo(tmp_path)
    _write(repo, "units.yml", "- name: 市民政局\n")
    _write(repo, "mkdocs.yml", "site_name: 档案\n")
    _write(repo, "docs/reports/2021/市民政局.md", report_text(year=2021))
    _write(repo, "docs/old.html", "<p>旧页面</p>\n")
    _write(repo, "overrides/main.html", "{% extends 'base.html' %}\n")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "base")
    return repo


def _review_section(out: str) -> str:
    start = out.index("### ⚠️ 需要维护者审核")
    return out[start : out.index("\n### ", start + 1)]


def test_active_content_needs_a_maintainer_without_failing_the_summary(tmp_path):
    repo = _base_repo(tmp_path)
    _git(repo, "checkout", "-q", "-b", "pr")
    _write(repo, "docs/assets/tool.mjs", "export const x = 1;\n")
    _write(repo, "docs/run.sh", "#!/bin/sh\necho hi\n")
    (repo / "docs/run.sh").chmod(0o755)
    _write(repo, "mkdocs.yml", "site_name: 档案\nextra_javascript: [https://example.com/x.js]\n")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "pr")  # committed changes ...
    _write(repo, "docs/extra/Page.HTM", "<script>alert(1)</script>\n")  # ... and work-tree ones
    _write(repo, "docs/a`b.svg", "<svg onload=alert(1)></svg>\n")
    _write(repo, "overrides/main.html", "{% extends 'base.html' %}\n<script>alert(1)</script>\n")
    _write(repo, "overrides/assets/site.css", "body { color: red; }\n")
    _write(repo, "docs/assets/logo.png", "not really a png\n")
    _write(repo, "docs/reports/2022/市民政局.md", report_text(year=2022))
    (repo / "docs/old.html").unlink()  # removing active content needs no review

    result = _summary(repo, "main")
    assert result.returncode == 0, result.stdout + result.stderr  # not the author's problem
    out = result.stdout
    assert out.index("需要维护者审核") < out.index("### 新增")  # prominent: before the report tables
    section = _review_section(out)
    assert "（6 个文件）" in section
    assert "- `docs/assets/tool.mjs`（新增）：JavaScript 脚本" in section
    assert "- `docs/run.sh`（新增）：可执行文件" in section
    assert "- `mkdocs.yml`（修改）：网站配置" in section
    assert "- `docs/extra/Page.HTM`（新增）：HTML 页面" in section
    assert "- `` docs/a`b.svg ``（新增）：SVG 图形" in section
    assert "- `overrides/main.html`（修改）：HTML 页面" in section
    for quiet in ("site.css", "logo.png", "市民政局.md", "old.html"):
        assert quiet not in section
    assert "✅" in out


def test_symlinks_are_flagged_committed_or_not(tmp_path):
    repo = _base_repo(tmp_path)
    _git(repo, "checkout", "-q", "-b", "pr")
    (repo / "docs/passwd.txt").symlink_to("/etc/passwd")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "pr")
    (repo / "docs/reports/2021/别名.md").symlink_to("市民政局.md")  # untracked
    (repo / "units.yml").unlink()
    (repo / "units.yml").symlink_to(repo / "docs/reports/2021/市民政局.md")  # a file turned into a link

    out = _summary(repo, "main").stdout
    section = _review_section(out)
    assert "- `docs/passwd.txt`（新增）：符号链接，指向 `/etc/passwd`" in section
    assert "- `docs/reports/2021/别名.md`（新增）：符号链接，指向 `市民政局.md`" in section
    assert "- `units.yml`（修改）：符号链接" in section


def test_last_changed_comes_from_the_git_history(tmp_path):
    from report_archive.history import last_changed

    assert last_changed(tmp_path) == {}  # not a git checkout: nothing, and no error
    repo = _new_repo(tmp_path)
    _write(repo, "docs/reports/2021/市民政局.md", report_text(year=2021))
    _git(repo, "add", "-A")
    subprocess.run(
        ["git", "commit", "-q", "-m", "old"],
        cwd=repo,
        check=True,
        env={"GIT_AUTHOR_DATE": "2020-05-01T12:00:00Z", "GIT_COMMITTER_DATE": "2020-05-01T12:00:00Z"}
        | {k: v for k, v in os.environ.items() if not k.startswith("GIT_")},
    )
    _write(repo, "docs/reports/2022/市民政局.md", report_text(year=2022))
    dates = last_changed(repo)
    assert {k: str(v) for k, v in dates.items()} == {"reports/2021/市民政局.md": "2020-05-01"}


def test_html_outside_the_allowlist_in_a_touched_report_is_a_problem(tmp_path):
    repo = _new_repo(tmp_path)
    _write(repo, "units.yml", "- name: 市民政局\n")
    _write(repo, "docs/reports/2021/市民政局.md", report_text(year=2021))
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "base")
    body = "# 标题\n\n正文。\n\n<img src=x onerror=alert(1)>\n"
    _write(repo, "docs/reports/2022/市民政局.md", report_text(year=2022, body=body))
    result = _summary(repo, "main")
    assert result.returncode == 1
    assert "`reports/2022/市民政局.md:11`" in result.stdout and "不在允许的 HTML 范围内" in result.stdout
