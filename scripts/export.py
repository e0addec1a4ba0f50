"""导出报告：Word（公文格式，GB/T 9704-2012）、可打印的 HTML 或 PDF；一个选择导出为一份汇编，或每份报告一个文件。"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from _bootstrap import ROOT

from report_archive import load_archive
from report_archive.cache import Cache
from report_archive.export import select_paths, select_unit, select_year
from report_archive.export.downloads import write_downloads
from report_archive.export.pdf import PdfError
from report_archive.export.run import FORMATS, resolve_paths, run_export
from report_archive.export.word import ExportError

CSS = ROOT / "overrides" / "assets" / "compilation.css"
EPILOG = """选择报告（三选一）：
  --year 2022            这一年的全部报告，按 units.yml 中单位的顺序
  --unit 市民政局        这个单位历年的报告，从早到晚
  docs/reports/2022/市民政局.md …   逐个指定的报告文件，按给出的顺序

输出：默认把选中的报告合为一份汇编（封面：标题、年份、报告数、导出日期；目录：单位 · 报告人 · 标题；
每份报告另起一页），文件名如“2022年度述职报告汇编.docx”；加 --each 则每份报告一个文件，
放在 DIR/<年份>/<单位>.docx（与档案的目录结构相同，可用 import_reports.py --pattern '{year}/{unit}.docx' 导回）。

示例：
  python scripts/export.py --year 2022 --out 导出/
  python scripts/export.py --year 2022 --format pdf --out 导出/
  python scripts/export.py --unit 市民政局 --each --out 导出/
  python scripts/export.py docs/reports/2022/市民政局.md --format html
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="导出报告：Word 文件（公文格式）、可打印的 HTML 或 PDF。",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("paths", nargs="*", metavar="REPORT", help="报告文件（docs/reports/<年份>/<单位>.md）")
    parser.add_argument("--year", type=int, help="导出这一年的全部报告")
    parser.add_argument("--unit", help="导出这个单位历年的报告")
    parser.add_argument("--format", choices=FORMATS, default="docx", help="docx（默认）、pdf 或 html")
    parser.add_argument("--out", default=".", metavar="DIR", help="输出目录（默认当前目录）")
    parser.add_argument("--each", action="store_true", help="每份报告一个文件，而不是一份汇编")
    parser.add_argument(
        "--downloads", metavar="SITE", help="发布时使用：把全部报告和各年份汇编的 Word 文件写入 SITE/downloads/"
    )
    args = parser.parse_args(argv)
    chosen = sum(bool(x) for x in (args.year, args.unit, args.paths, args.downloads))
    if chosen != 1:
        parser.error("请只用一种方式选择报告：--year、--unit、报告文件，或 --downloads")
    started = time.perf_counter()
    archive = load_archive(ROOT / "docs", ROOT / "units.yml", Cache.for_project(ROOT))
    try:
        if args.downloads:
            written = write_downloads(archive, Path(args.downloads), Cache.for_project(ROOT))
            print(f"Word 文件：新转换 {written.converted} 个，沿用上次的 {written.reused} 个", end="")
            print(f"（{time.perf_counter() - started:.1f} 秒）")
            return 0
        if args.year:
            if args.year not in archive.by_year:
                raise ExportError(f"档案中没有 {args.year} 年的报告。")
            selection = select_year(archive, args.year)
        elif args.unit:
            unit = archive.registry.get(args.unit)
            name = unit.name if unit else args.unit
            if name not in archive.by_unit:
                raise ExportError(f"档案中没有单位“{args.unit}”的报告。")
            selection = select_unit(archive, name)
        else:
            selection = select_paths(resolve_paths(archive, ROOT / "docs", args.paths))
        css = CSS.read_text(encoding="utf-8")
        files = run_export(selection, args.format, Path(args.out), each=args.each, css=css)
    except (ExportError, PdfError) as exc:
        print(f"导出失败：{exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"导出失败：无法写入（{exc.strerror or exc}）。", file=sys.stderr)
        return 1
    for path in files:
        print(path)
    elapsed = time.perf_counter() - started
    print(f"已导出 {len(selection.reports)} 份报告，{len(files)} 个文件（{elapsed:.1f} 秒）")
    return 0


if __name__ == "__main__":
    sys.exit(main())
