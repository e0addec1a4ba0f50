"""导入报告：把 Word、WPS、OpenDocument、RTF、网页、EPUB、文本和 Markdown 文件转换为档案中的报告。"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from _bootstrap import ROOT

from report_archive.importer import (
    SUPPORTED,
    ImportFailure,
    ImportOptions,
    Manifest,
    Outcome,
    collect_sources,
    read_manifest,
    run_import,
)

EPILOG = f"""支持的格式：{"、".join(SUPPORTED)}。
Word（.docx/.docm/.dotx）、.odt、.rtf、.html/.htm、.epub 由 pandoc 读取；旧版 .doc/.wps/.wpt/.dot 先由
LibreOffice（软件包 libreoffice-writer-nogui）转换为 .docx。修订按全部接受导入，批注不导入；脚注、文本框、
表格和 Word 自动编号（一、（一）1.（1））都保留。每个文件导入后都与原文逐字核对，有缺字或多字即为失败。

元数据的来源，优先级从高到低：命令行参数 > 清单文件 > 路径模式 > 报告正文（标题行中的年份、
“职务 姓名”或“述职人：姓名”报告人行、结尾署名、“——2020年1月12日在……”日期行）。
正文中有两种读法时（如两个不同的姓名），该文件失败并列出候选，用 --secretary 或 --date 指定即可。

示例：
  一个 Word 文件：
    python scripts/import_reports.py 述职报告.docx --year 2022 --unit 市民政局 --secretary 张三 --position 党组书记
  一个文件夹，按路径读取单位和年份：
    python scripts/import_reports.py 旧报告/ --pattern '{{unit}}/{{year}}.docx'
  一个文件夹加清单（列：path,year,unit,secretary[,position,title,date]）：
    python scripts/import_reports.py 旧报告/ --manifest 清单.csv --dry-run
"""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="把报告导入档案：识别标题、年份、报告人、日期，并把“一、”“（一）”等编号转换为标题。",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("sources", nargs="+", metavar="SRC", help="要导入的文件或文件夹")
    parser.add_argument("--out", default=str(ROOT / "docs" / "reports"), help="输出目录（默认 docs/reports）")
    parser.add_argument("--units", default=str(ROOT / "units.yml"), help="单位登记表（默认 units.yml）")
    parser.add_argument("--year", type=int, help="年份（只导入一个文件时使用）")
    parser.add_argument("--unit", help="单位")
    parser.add_argument("--secretary", help="报告人（只导入一个文件时使用）")
    parser.add_argument("--position", help="职务，如 党组书记")
    parser.add_argument("--title", help="标题（只导入一个文件时使用）")
    parser.add_argument("--date", help="日期，YYYY-MM-DD（只导入一个文件时使用）")
    parser.add_argument("--kind", default="", help="报告类型（默认 述职报告）")
    parser.add_argument("--manifest", help="清单文件（CSV，列 path,year,unit,secretary[,position,title,date]）")
    parser.add_argument(
        "--pattern", default="", help="从路径中读取字段，如 '{unit}/{year}.md'、'{year}-{unit}-{secretary}.docx'"
    )
    parser.add_argument("--dry-run", action="store_true", help="只显示将要写入的文件和问题，不写入任何文件")
    parser.add_argument("--force", action="store_true", help="覆盖已存在的报告（否则已存在的报告保持不变）")
    parser.add_argument("--add-units", action="store_true", help="把成功导入的报告中未登记的单位登记到 units.yml")
    return parser.parse_args(argv)


def progress_bar(done: int, total: int) -> None:
    """A progress bar on the terminal for long runs (not when output goes to a file)."""
    if total < 20 or not sys.stderr.isatty():
        return
    filled = done * 30 // total
    end = "\n" if done == total else ""
    print(f"\r导入中 [{'#' * filled}{'.' * (30 - filled)}] {done}/{total}", end=end, file=sys.stderr, flush=True)


def summary(outcomes: list[Outcome]) -> str:
    """The closing table: one row per file (with notes such as accepted revisions), then the totals."""
    width = max((len(o.source) for o in outcomes), default=4)
    lines = [f"{'结果':<4}  {'文件':<{width}}  目标 / 原因"]
    for o in outcomes:
        notes = f"（{'；'.join(o.notes)}）" if o.notes else ""
        lines.append(f"{o.status:<4}  {o.source:<{width}}  {o.reason or o.target}{notes}")
    tracked = [o.source for o in outcomes if any("修订" in n for n in o.notes)]
    if tracked:
        lines.append("有未接受修订（已按全部接受导入）的文件：" + "、".join(tracked))
    counts = {status: sum(o.status == status for o in outcomes) for status in ("导入", "将导入", "跳过", "失败")}
    lines.append("合计：" + "，".join(f"{k} {v}" for k, v in counts.items() if v or k in ("跳过", "失败")))
    return "\n".join(lines)


def check_args(args: argparse.Namespace, sources: list[Path]) -> str:
    """A usage error, or '' when the arguments fit together."""
    if not sources:
        return "没有找到文件。"
    missing = [str(s) for s in sources if not s.exists()]
    if missing:
        return "找不到文件：" + "、".join(missing)
    single = [f"--{k}" for k in ("year", "secretary", "title", "date") if getattr(args, k)]
    if len(sources) > 1 and single:
        return f"{'、'.join(single)} 只能在导入单个文件时使用；多个文件请用 --manifest 或 --pattern。"
    return ""


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sources = collect_sources(args.sources)
    problem = check_args(args, sources)
    if problem:
        print(f"错误：{problem}", file=sys.stderr)
        return 2
    given = {k: getattr(args, k) for k in ("year", "unit", "secretary", "position", "title", "date")}
    try:
        options = ImportOptions(
            out_dir=Path(args.out),
            units_file=Path(args.units),
            given=given,
            manifest=read_manifest(Path(args.manifest)) if args.manifest else Manifest(),
            pattern=args.pattern,
            kind=args.kind,
            force=args.force,
            dry_run=args.dry_run,
            add_units=args.add_units,
        )
        explicit = {Path(s) for s in args.sources if not Path(s).is_dir()}
        folders = [Path(s) for s in args.sources if Path(s).is_dir()]
        base = folders[0] if len(folders) == 1 and not explicit else None
        outcomes = run_import(sources, options, base=base, progress=progress_bar, explicit=explicit)
    except (ImportFailure, ValueError) as exc:  # a malformed --pattern or manifest
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"错误：无法读写 {exc.filename or ''}（{exc.strerror or '读写错误'}）。", file=sys.stderr)
        return 2
    print(summary(outcomes))
    if args.dry_run:
        print("（演练：没有写入任何文件）")
    return 1 if any(o.status == "失败" for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
