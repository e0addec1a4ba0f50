"""检查档案中的全部报告，一次列出所有问题；有问题时退出码为 1。"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from _bootstrap import ROOT

from report_archive import load_archive


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="检查 docs/reports 下的全部报告和 units.yml，列出每个问题的文件、行号和原因。"
    )
    parser.add_argument("--docs", default=str(ROOT / "docs"), help="文档目录（默认 docs）")
    parser.add_argument("--units", default=str(ROOT / "units.yml"), help="单位登记表（默认 units.yml）")
    args = parser.parse_args(argv)
    archive = load_archive(Path(args.docs), Path(args.units))
    for problem in archive.problems:
        print(problem)
    count = len(archive.reports) + len(archive.drafts)
    if archive.problems:
        print(f"发现 {len(archive.problems)} 个问题（共检查 {count} 份报告）。", file=sys.stderr)
        return 1
    print(f"检查通过：{count} 份报告，{len(archive.drafts)} 份草稿。")
    return 0


if __name__ == "__main__":
    sys.exit(main())
