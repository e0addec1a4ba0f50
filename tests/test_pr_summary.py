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
