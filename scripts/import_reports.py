"""导入报告：把 Word（.docx）、文本（.txt）和 Markdown 文件转换为档案中的报告（docs/reports/<年份>/<单位>.md）。"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from _bootstrap import ROOT

from report_archive.importer import ImportOptions, Outcome, collect_sources, read_manifest, run_import

EPILOG = """元数据的来源，优先级从高到低：命令行参数 > 清单文件 > 路径模式 > 报告正文（标题行中的年份、
“职务 姓名”报告人行、“——2020年1月12日在……”日期行）。

示例：
  一个 Word 文件：
    python scripts/import_reports.py 述职报告.docx --year 2022 --unit 市民政局 --secretary 张三 --position 党组书记
  一个文件夹，按路径读取单位和年份：
    python scripts/import_reports.py 旧报告/ --pattern '{unit}/{year}.txt'
  一个文件夹加清单（列：path,year,unit,secretary[,position,title,date]）：
    python scripts/import_reports.py 旧报告/ --manifest 清单.csv --dry-run
"""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="把报告导入档案：识别标题、年份、报告人、日期，并把“一、”“（一）”等编号转换为标题。",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("sources", nargs="+", metavar="SRC", help="要导入的文件或文件夹（.docx、.txt、.md）")
    parser.add_argument("--out", default=str(ROOT / "docs" / "reports"), help="输出目录（默认 docs/reports）")
    parser.add_argument("--units", default=str(ROOT / "units.yml"), help="单位登记表（默认 units.yml）")
    parser.add_argument("--year", type=int, help="年份（只导入一个文件时使用）")
    parser.add_argument("--unit", help="单位")
    parser.add_argument("--secretary", help="报告人（只导入一个文件时使用）")
    parser.add_argument("--position", help="职务，如 党组书记")
    parser.add_argument("--kind", default="", help="报告类型（默认 述职报告）")
    parser.add_argument("--manifest", help="清单文件（CSV，列 path,year,unit,secretary[,position,title,date]）")
    parser.add_argument(
        "--pattern", default="", help="从路径中读取字段，如 '{unit}/{year}.md'、'{year}-{unit}-{secretary}.docx'"
    )
    parser.add_argument("--dry-run", action="store_true", help="只显示将要写入的文件和问题，不写入任何文件")
    parser.add_argument("--force", action="store_true", help="覆盖已存在的报告（否则已存在的报告保持不变）")
    parser.add_argument("--add-units", action="store_true", help="把未登记的单位登记到 units.yml")
    return parser.parse_args(argv)


def progress_bar(done: int, total: int) -> None:
    """A progress bar on the terminal for long runs (not when output goes to a file)."""
    if total < 20 or not sys.stderr.isatty():
        return
    filled = done * 30 // total
    end = "\n" if done == total else ""
    print(f"\r导入中 [{'#' * filled}{'.' * (30 - filled)}] {done}/{total}", end=end, file=sys.stderr, flush=True)


def summary(outcomes: list[Outcome]) -> str:
    """The closing table: one row per file, then the totals."""
    width = max((len(o.source) for o in outcomes), default=4)
    lines = [f"{'结果':<4}  {'文件':<{width}}  目标 / 原因"]
    for o in outcomes:
        lines.append(f"{o.status:<4}  {o.source:<{width}}  {o.reason or o.target}")
    counts = {status: sum(o.status == status for o in outcomes) for status in ("导入", "将导入", "跳过", "失败")}
    lines.append("合计：" + "，".join(f"{k} {v}" for k, v in counts.items() if v or k in ("跳过", "失败")))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sources = collect_sources(args.sources)
    if not sources:
        print("没有找到可导入的文件（.docx、.txt、.md）。", file=sys.stderr)
        return 1
    missing = [str(s) for s in sources if not s.exists()]
    if missing:
        print("错误：找不到文件：" + "、".join(missing), file=sys.stderr)
        return 2
    if len(sources) > 1 and (args.year or args.secretary):
        print(
            "错误：--year 和 --secretary 只能在导入单个文件时使用；多个文件请用 --manifest 或 --pattern。",
            file=sys.stderr,
        )
        return 2
    try:
        options = ImportOptions(
            out_dir=Path(args.out),
            units_file=Path(args.units),
            given={"year": args.year, "unit": args.unit, "secretary": args.secretary, "position": args.position},
            manifest=read_manifest(Path(args.manifest)) if args.manifest else {},
            pattern=args.pattern,
            kind=args.kind,
            force=args.force,
            dry_run=args.dry_run,
            add_units=args.add_units,
        )
        outcomes = run_import(sources, options, progress=progress_bar)
    except (ValueError, OSError) as exc:  # a malformed --pattern or manifest
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    print(summary(outcomes))
    if args.dry_run:
        print("（演练：没有写入任何文件）")
    return 1 if any(o.status == "失败" for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
