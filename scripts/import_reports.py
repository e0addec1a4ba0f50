"""导入报告：把 .txt / .md 文件转换为档案中的报告（docs/reports/<年份>/<单位>.md）。"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from _bootstrap import ROOT

from report_archive.importer import ImportOptions, collect_sources, run_import

EPILOG = """示例：
  python scripts/import_reports.py 述职报告.txt --year 2022 --unit 市民政局 --secretary 张三 --position 党组书记
  python scripts/import_reports.py 旧报告/ --pattern '{unit}/{year}.md'
  python scripts/import_reports.py 旧报告/ --pattern '{year}-{unit}-{secretary}.txt' --dry-run
"""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="把文本报告导入档案：识别标题、年份、报告人、日期，并把“一、”“（一）”等编号转换为标题。",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("sources", nargs="+", metavar="SRC", help="要导入的文件或文件夹")
    parser.add_argument("--out", default=str(ROOT / "docs" / "reports"), help="输出目录（默认 docs/reports）")
    parser.add_argument("--units", default=str(ROOT / "units.yml"), help="单位登记表（默认 units.yml）")
    parser.add_argument("--year", type=int, help="年份（只导入一个文件时使用）")
    parser.add_argument("--unit", help="单位")
    parser.add_argument("--secretary", help="报告人")
    parser.add_argument("--position", help="职务，如 党组书记")
    parser.add_argument("--kind", default="", help="报告类型（默认 述职报告）")
    parser.add_argument("--pattern", default="", help="从路径中读取字段，如 '{unit}/{year}.md'")
    parser.add_argument("--dry-run", action="store_true", help="只显示将要写入的文件和问题，不写入")
    parser.add_argument("--force", action="store_true", help="覆盖已存在的报告")
    parser.add_argument("--add-units", action="store_true", help="把未登记的单位登记到 units.yml")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    given = {"year": args.year, "unit": args.unit, "secretary": args.secretary, "position": args.position}
    sources = collect_sources(args.sources)
    if len(sources) > 1 and (args.year or args.secretary):
        print("错误：--year 和 --secretary 只能在导入单个文件时使用。", file=sys.stderr)
        return 2
    options = ImportOptions(
        out_dir=Path(args.out),
        units_file=Path(args.units),
        given=given,
        pattern=args.pattern,
        kind=args.kind,
        force=args.force,
        dry_run=args.dry_run,
        add_units=args.add_units,
    )
    try:
        outcomes = run_import(sources, options)
    except ValueError as exc:  # a malformed --pattern
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    for outcome in outcomes:
        line = f"{outcome.status}\t{outcome.source}"
        if outcome.target:
            line += f" → {outcome.target}"
        if outcome.reason:
            line += f"\t{outcome.reason}"
        print(line)
    counts: dict[str, int] = {}
    for outcome in outcomes:
        counts[outcome.status] = counts.get(outcome.status, 0) + 1
    print("合计：" + "，".join(f"{k} {v}" for k, v in counts.items()) if counts else "没有找到可导入的文件。")
    return 1 if counts.get("失败") else 0


if __name__ == "__main__":
    sys.exit(main())
