"""The benchmark scripts run end to end on a small archive (they time nothing here)."""

from __future__ import annotations

import json
import math
import subprocess
import sys

from conftest import ROOT


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def _table_and_json(stdout: str) -> tuple[list[str], list[str], dict]:
    header, row, summary = stdout.strip().splitlines()
    return header.split("\t"), row.split("\t"), json.loads(summary)


def test_bench_build_measures_builds_and_serve_on_the_generated_corpus():
    result = _run("scripts/bench_build.py", "30", "--repeat", "1", "--edits", "2", "--serve-timeout", "120")
    assert result.returncode == 0, result.stderr
    header, row, summary = _table_and_json(result.stdout)
    assert header[0] == "报告数" and row[0] == "30" and len(row) == len(header) == 27
    assert all(float(v) > 0 for v in row), dict(zip(header, row, strict=True))  # a timeout would show 超时
    assert summary["reports"] == 30 and summary["corpus"] == "generated"
    for key in ("bare_s", "site_s", "warm_s", "bare_rss_mb", "site_rss_mb", "first_page_s", "bare_first_page_s"):
        assert summary[key] > 0
    for key in ("edit_page_s", "edit_indexes_s", "add_indexes_s", "delete_indexes_s", "bare_edit_page_s"):
        assert summary[key] is not None and math.isfinite(summary[key])
    assert len(summary["edit_page_runs"]) == 2
    # the archive is served as `make serve` serves it
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert f"mkdocs serve {' '.join(summary['serve_args'])}\n" in makefile


def test_bench_build_can_still_use_copies_and_skip_serve():
    result = _run("scripts/bench_build.py", "20", "--repeat", "1", "--copies", "--no-serve")
    assert result.returncode == 0, result.stderr
    header, row, summary = _table_and_json(result.stdout)
    assert len(row) == len(header) == 19 and "档案首页(s)" not in header
    assert summary["corpus"] == "copies" and "first_page_s" not in summary


def test_bench_search_runs_on_a_small_archive():
    result = _run("scripts/bench_search.py", "40", "--queries", "12", "--repeat", "1")
    assert result.returncode == 0, result.stdout + result.stderr
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["reports"] == 40 and summary["queries"] == 12 and summary["corpus"] == "generated"
    assert summary["exact"] == 12
    assert summary["index_mib"] > 0 and summary["bytes_median_kib"] > 0


def test_bench_corpus_compares_the_three_corpora():
    result = _run("scripts/bench_corpus.py", "150")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[0].split("\t") == ["指标", "演示档案", "生成语料", "复制语料"]
    figures = json.loads(lines[-1])
    assert set(figures) == {"demo", "generated", "copies"}
    assert figures["generated"]["reports"] == figures["copies"]["reports"] == 150
    assert figures["copies"]["reuse_anywhere"] > figures["generated"]["reuse_anywhere"]
