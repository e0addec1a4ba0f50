"""发布网站：构建到 DIR/releases/<时间>/，检查通过、标记完成后把 DIR/current 原子地切换过去；可回退。

同一目录同时只进行一个发布或回退（DIR/.publish.lock），后来的一个等待前一个结束。
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
from pathlib import Path

from _bootstrap import ROOT

from report_archive import load_archive
from report_archive.cache import Cache
from report_archive.export.downloads import write_downloads
from report_archive.export.word import ExportError
from report_archive.publish import PublishError, current, os_message, publish, releases, rollback


def build_site(folder: Path) -> None:
    """Validate the reports, build strictly into ``folder``, write the Word files; PublishError on failure."""
    cache = Cache.for_project(ROOT)
    archive = load_archive(ROOT / "docs", ROOT / "units.yml", cache)
    if archive.problems:
        details = "\n".join(str(p) for p in archive.problems)
        raise PublishError(f"检查未通过，未发布：\n{details}")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(folder)],
        cwd=ROOT,
        env=os.environ | {"NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise PublishError(f"构建失败，未发布：\n{result.stderr.strip()}")
    try:  # converted only for reports that changed since the last publish (kept in the build cache)
        write_downloads(archive, folder, cache)
    except ExportError as exc:
        raise PublishError(f"生成 Word 文件失败，未发布：{exc}") from None


def command_build(command: str):
    """A build that runs ``command FOLDER`` instead of validating and running MkDocs (for tests)."""

    def build(folder: Path) -> None:
        result = subprocess.run([*shlex.split(command), str(folder)], cwd=ROOT, capture_output=True, text=True)
        if result.returncode != 0:
            raise PublishError(f"构建失败，未发布：\n{result.stderr.strip()}")

    return build


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="把网站发布到一个目录：每次构建一个新版本（releases/<时间>/），成功后原子地切换 current 链接。"
    )
    parser.add_argument("--to", required=True, metavar="DIR", help="发布目录（Web 服务器的根目录指向 DIR/current）")
    parser.add_argument("--keep", type=int, default=5, help="保留最近几个版本（默认 5）")
    parser.add_argument("--rollback", action="store_true", help="不构建，切换回上一个完整的版本")
    # For tests: run this command with the release folder as its last argument instead of the build.
    parser.add_argument("--build-command", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.keep < 1:
        parser.error("--keep 至少为 1")
    target = Path(args.to).resolve()
    build = command_build(args.build_command) if args.build_command else build_site
    try:
        if args.rollback:
            release = rollback(target)
            print(f"已回退到 {release.name}")
        else:
            release = publish(target, build, keep=args.keep)
            print(f"已发布 {release.name}（共保留 {len(releases(target))} 个版本）")
    except (PublishError, OSError) as exc:
        message = str(exc) if isinstance(exc, PublishError) else f"发布失败：{os_message(exc)}"
        active = current(target)
        print(f"{message}\n当前版本保持不变：{active.name if active else '（尚无）'}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
