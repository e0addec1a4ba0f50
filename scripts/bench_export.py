"""导出基准：用演示报告合成一年 N 份报告（默认 200），计时导出一份 Word 汇编、PDF 汇编，以及发布时未改动档案的导出。"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _bootstrap import ROOT

from report_archive import load_archive
from report_archive.cache import Cache
from report_archive.export import select_year
from report_archive.export.downloads import write_downloads
from report_archive.export.run import run_export

YEAR = 2024
CSS = ROOT / "overrides" / "assets" / "compilation.css"


def synthesise(folder: Path, count: int) -> Path:
    """``count`` reports of one year: the demo reports' texts in turn, each under its own unit."""
    demo = load_archive(ROOT / "docs", ROOT / "units.yml")
    docs = folder / "docs"
    (docs / "reports" / str(YEAR)).mkdir(parents=True)
    units = []
    for number in range(count):
        source = demo.reports[number % len(demo.reports)]
        unit = f"第{number + 1:03d}单位"
        units.append(f"- name: {unit}\n")
        head = f"---\nyear: {YEAR}\nunit: {unit}\nsecretary: {source.secretary}\nkind: {source.kind}\n---\n\n"
        (docs / "reports" / str(YEAR) / f"{unit}.md").write_text(head + source.body, encoding="utf-8")
    (folder / "units.yml").write_text("".join(units), encoding="utf-8")
    return docs


def timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def pages(pdf: Path) -> str:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=False).stdout
    return next((line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")), "?")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="导出基准（每项重复 --repeat 次，取中位数）。")
    parser.add_argument("n", type=int, nargs="?", default=200, metavar="N", help="一年的报告份数（默认 200）")
    parser.add_argument("--repeat", type=int, default=3, help="每项重复几次（默认 3）")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-export-") as name:
        folder = Path(name)
        docs = synthesise(folder, args.n)
        archive = load_archive(docs, folder / "units.yml")
        if archive.problems:
            raise SystemExit("\n".join(str(p) for p in archive.problems))
        selection = select_year(archive, YEAR)
        characters = sum(r.length for r in selection.reports)
        print(f"{YEAR} 年 {len(selection.reports)} 份报告，共 {characters:,} 字")
        css, out, today = CSS.read_text(encoding="utf-8"), folder / "out", dt.date.today()
        results: dict[str, list[float]] = {"docx": [], "pdf": [], "unchanged": []}
        cache = Cache(folder / "cache")
        first = timed(lambda: write_downloads(archive, folder / "site", cache, today))
        print(f"发布时首次导出（{len(selection.reports)} 份报告 + 1 份汇编，逐个转换）：{first:.1f} 秒")
        for _ in range(args.repeat):
            results["docx"].append(timed(lambda: run_export(selection, "docx", out, css=css, today=today)))
            results["pdf"].append(timed(lambda: run_export(selection, "pdf", out, css=css, today=today)))
            results["unchanged"].append(timed(lambda: write_downloads(archive, folder / "site", cache, today)))
        pdf = out / f"{selection.stem}.pdf"
        docx_size = (out / f"{selection.stem}.docx").stat().st_size / 2**20
        for key, label, target in (
            ("docx", f"一份 Word 汇编（{docx_size:.1f} MB）", 20),
            ("pdf", f"一份 PDF 汇编（{pages(pdf)} 页）", 60),
            ("unchanged", "发布时导出未改动的档案", 2),
        ):
            runs = "、".join(f"{t:.1f}" for t in results[key])
            median = statistics.median(results[key])
            verdict = "达标" if median <= target else "未达标"
            print(f"{label}：中位数 {median:.2f} 秒（{runs}），目标 ≤ {target} 秒，{verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
