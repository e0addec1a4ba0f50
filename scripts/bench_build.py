"""构建基准：合成 N 份报告，比较完整构建与“裸”构建（同一主题、无钩子、报告不进导航）的耗时、输出大小和内存峰值。"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _bootstrap import ROOT

from report_archive import load_archive, reuse
from report_archive.source import split

BARE_CONFIG = """site_name: bare
theme:
  name: material
  language: zh
  font: false
nav:
  - index.md
  - guide.md
not_in_nav: |
  /reports/
plugins: []
markdown_extensions: [tables, attr_list, md_in_html, footnotes, admonition]
"""


def synthesize(project: Path, count: int, templates: Path) -> None:
    """Copies of the demo reports under new unit names until there are ``count`` reports."""
    sources = sorted(templates.rglob("*.md"))
    if not sources:
        raise SystemExit(f"错误：{templates} 下没有报告可复制。")
    docs = project / "docs"
    (docs / "reports").mkdir(parents=True)
    for name in ("index.md", "guide.md"):
        shutil.copy(ROOT / "docs" / name, docs / name)
    units: list[str] = []
    for index in range(count):
        batch, source = divmod(index, len(sources))
        text = sources[source].read_text(encoding="utf-8")
        parsed, _ = split(text, "")
        unit = f"{parsed.meta['unit']}{batch:03d}"
        if unit not in units:
            units.append(unit)
        text = text.replace(f"unit: {parsed.meta['unit']}\n", f"unit: {unit}\n", 1)
        target = docs / "reports" / str(parsed.meta["year"]) / f"{unit}.md"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    (project / "units.yml").write_text("".join(f"- name: {u}\n" for u in units), encoding="utf-8")
    for name in ("hooks", "overrides", "report_archive"):
        (project / name).symlink_to(ROOT / name)
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    (project / "mkdocs.yml").write_text(config, encoding="utf-8")
    (project / "nosearch.yml").write_text(config.replace("search_index: true", "search_index: false"), encoding="utf-8")
    (project / "bare.yml").write_text(BARE_CONFIG, encoding="utf-8")


def run_build(project: Path, config: str, site: Path) -> tuple[float, int, int]:
    """One build in a child process: seconds, peak RSS in bytes, output bytes."""
    shutil.rmtree(site, ignore_errors=True)
    command = [sys.executable, "-m", "mkdocs", "build", "-q", "-f", config, "-d", str(site)]
    env = os.environ | {"NO_MKDOCS_2_WARNING": "1"}
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=project, env=env, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    stderr = process.stderr.read().decode() if process.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"构建失败（{config}）：\n{stderr}")
    size = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
    return seconds, usage.ru_maxrss * 1024, size


# bare: same theme, no hooks, reports out of the nav; archive: this project without its search
# index (the archive issue's budget); site: everything, search index included.
BUILDS = {"bare": "bare.yml", "archive": "nosearch.yml", "site": "mkdocs.yml"}
COLUMNS = ["报告数", "裸(s)", "档案(s)", "档案/裸", "含搜索(s)", "含搜索/裸"]
COLUMNS += ["裸(MB)", "档案(MB)", "档案/裸大小", "含搜索(MB)", "档案字节/份", "内存峰值(MB)"]
COLUMNS += ["重复率计算(s)", "重复率/裸"]


def bench(count: int, repeat: int, templates: Path) -> list[float]:
    runs: dict[str, list[tuple[float, int, int]]] = {name: [] for name in BUILDS}
    with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
        project = Path(tmp)
        synthesize(project, count, templates)
        for _ in range(repeat):  # alternate, so drift on a noisy machine hits all alike
            for name, config in BUILDS.items():
                runs[name].append(run_build(project, config, project / f"site-{name}"))
        # The text-reuse figures are part of the archive build; time them on their own as well.
        archive = load_archive(project / "docs", project / "units.yml")
        start = time.perf_counter()
        reuse.attach(archive)
        reuse_seconds = time.perf_counter() - start
    seconds = {name: statistics.median(r[0] for r in results) for name, results in runs.items()}
    size = {name: results[0][2] for name, results in runs.items()}
    return [
        count,
        seconds["bare"],
        seconds["archive"],
        seconds["archive"] / seconds["bare"],
        seconds["site"],
        seconds["site"] / seconds["bare"],
        size["bare"] / 2**20,
        size["archive"] / 2**20,
        size["archive"] / size["bare"],
        size["site"] / 2**20,
        size["archive"] / count,
        max(r[1] for results in runs.values() for r in results) / 2**20,
        reuse_seconds,
        reuse_seconds / seconds["bare"],
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="构建基准：完整构建与裸构建的耗时比、输出大小比和内存峰值。")
    parser.add_argument("counts", nargs="+", type=int, metavar="N", help="合成的报告数，可给多个（如 300 2500）")
    parser.add_argument("--repeat", type=int, default=3, help="每种构建重复次数，取中位数（默认 3）")
    parser.add_argument("--templates", default=str(ROOT / "docs" / "reports"), help="被复制的报告（默认演示档案）")
    args = parser.parse_args(argv)
    print("\t".join(COLUMNS))
    for count in args.counts:
        values = bench(count, args.repeat, Path(args.templates))
        print("\t".join(f"{v:.0f}" if i in (0, 10) else f"{v:.2f}" for i, v in enumerate(values)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
