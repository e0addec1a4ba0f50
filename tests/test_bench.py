"""The build benchmark script runs end to end on a small archive (it times nothing here)."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import ROOT


def test_bench_build_runs_on_a_small_archive():
    result = subprocess.run(
        [sys.executable, "scripts/bench_build.py", "30", "--repeat", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    header, row = result.stdout.strip().splitlines()
    assert header.split("\t")[0] == "报告数"
    values = row.split("\t")
    assert values[0] == "30" and len(values) == len(header.split("\t")) == 14
    assert all(float(v) > 0 for v in values)


def test_bench_search_runs_on_a_small_archive():
    result = subprocess.run(
        [sys.executable, "scripts/bench_search.py", "40", "--queries", "12", "--repeat", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["reports"] == 40 and summary["queries"] == 12
    assert summary["exact"] == 12
    assert summary["index_mib"] > 0 and summary["bytes_median_kib"] > 0
