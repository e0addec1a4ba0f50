"""检查档案中的全部报告，一次列出所有问题；有问题时退出码为 1。"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from _bootstrap import ROOT, site_renderer

from report_archive.archive import load_archive, problem_order
from report_archive.validate import check_html


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="检查 docs/reports 下的全部报告和 units.yml，列出每个问题的文件、行号和原因。"
    )
    parser.add_argument("--docs", default=str(ROOT / "docs"), help="文档目录（默认 docs）")
    parser.add_argument("--units", default=str(ROOT / "units.yml"), help="单位登记表（默认 units.yml）")
    parser.add_argument(
        "--config", help="网站配置，决定正文按哪些 Markdown 扩展转换（默认文档目录旁的 mkdocs.yml，没有时用本仓库的）"
    )
    parser.add_argument(
        "files", nargs="*", help="只列出这些文件的问题（如 pre-commit 传入的改动文件）；重复检查仍看全部报告"
    )
    args = parser.parse_args(argv)
    docs = Path(args.docs).resolve()
    archive = load_archive(docs, Path(args.units))
    config = Path(args.config) if args.config else docs.parent / "mkdocs.yml"
    render = site_renderer(config if config.exists() else ROOT / "mkdocs.yml")
    problems = sorted(archive.problems + check_html(archive.reports, render), key=problem_order)
    if args.files:
        wanted = {_docs_relative(Path(f), docs) for f in args.files}
        problems = [p for p in problems if p.file in wanted or not p.file.startswith("reports/")]
    for problem in problems:
        print(problem)
    count = len(archive.reports) + len(archive.drafts)
    if problems:
        print(f"发现 {len(problems)} 个问题（共检查 {count} 份报告）。", file=sys.stderr)
        return 1
    print(f"检查通过：{count} 份报告，{len(archive.drafts)} 份草稿。")
    return 0


def _docs_relative(path: Path, docs: Path) -> str:
    path = path.resolve()
    return path.relative_to(docs).as_posix() if path.is_relative_to(docs) else path.as_posix()


if __name__ == "__main__":
    sys.exit(main())
