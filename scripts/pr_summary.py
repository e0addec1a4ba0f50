"""档案变更摘要：比较 BASE_REF 与工作区，输出新增、修改、删除的报告和检查问题（Markdown）。"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from _bootstrap import ROOT, site_renderer

from report_archive.changes import pr_summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="比较 BASE_REF（如 origin/main）与当前工作区中的档案，输出 Markdown 摘要：新增、修改、删除的报告，"
        "涉及的年份和单位，以及检查发现的问题（带文件和行号）。"
    )
    parser.add_argument("base", metavar="BASE_REF", help="比较基准：分支、标签或提交")
    parser.add_argument("--repo", default=str(ROOT), help="仓库目录（默认本仓库）")
    args = parser.parse_args(argv)
    try:
        repo = Path(args.repo)
        config = repo / "mkdocs.yml"
        text, ok = pr_summary(repo, args.base, site_renderer(config if config.exists() else ROOT / "mkdocs.yml"))
    except ValueError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    print(text, end="")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
