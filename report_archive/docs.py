"""What may live in the docs folder: report files under ``reports/``, no symlinks anywhere.

Everything under ``docs/`` is published as it is, so a pull request that adds a file there adds it
to the site. Under ``reports/`` only report Markdown and raster images (checked by their first
bytes) are allowed; a symlink anywhere would publish whatever it points at, so none is followed.
"""

from __future__ import annotations

import os
from pathlib import Path

from .model import Problem

REPORTS_DIR = "reports"
# Raster images a report may show, by extension, with the bytes such a file starts with.
IMAGES = {
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".gif": (b"GIF87a", b"GIF89a"),
    ".webp": (b"RIFF",),
}


def _image_ok(path: Path) -> bool:
    with path.open("rb") as handle:
        head = handle.read(16)
    return head.startswith(IMAGES[path.suffix.lower()]) and (path.suffix.lower() != ".webp" or head[8:12] == b"WEBP")


def scan_docs(docs_dir: Path) -> tuple[list[Path], list[str], list[Problem]]:
    """Report files to load, docs-relative paths to leave out of the build, and the problems found.

    Symlinks are reported wherever they are under ``docs_dir`` and never followed.
    """
    reports: list[Path] = []
    excluded: list[str] = []
    problems: list[Problem] = []

    def refuse(path: Path, message: str) -> None:
        file = path.relative_to(docs_dir).as_posix()
        excluded.append(file)
        problems.append(Problem(file, None, message, "file"))

    for folder, dirs, names in os.walk(docs_dir):
        here = Path(folder)
        in_reports = here == docs_dir / REPORTS_DIR or (docs_dir / REPORTS_DIR) in here.parents
        for name in sorted(dirs):
            path = here / name
            if path.is_symlink():
                refuse(path, "这是一个符号链接（目录），不允许放在 docs 下：它会把链接指向的内容发布出去。请删除。")
            elif in_reports and name.lower().endswith(".md"):
                refuse(path, "这是一个目录，不是报告文件：报告应是 reports/<年份>/<单位>.md 文件。请改名或删除。")
        dirs[:] = [
            d for d in sorted(dirs) if not (here / d).is_symlink() and not (in_reports and d.lower().endswith(".md"))
        ]
        for name in sorted(names):
            path = here / name
            if path.is_symlink():
                refuse(path, "这是一个符号链接，不允许放在 docs 下：它会把链接指向的文件发布出去。请删除。")
            elif not in_reports:
                continue
            elif name.endswith(".md"):
                reports.append(path)
            elif path.suffix.lower() not in IMAGES:
                kinds = "、".join(sorted(IMAGES))
                refuse(path, f"reports 下只能放报告（.md）和图片（{kinds}），不能放这种文件。请删除或移走。")
            elif not _image_ok(path):
                refuse(path, f"文件扩展名是 {path.suffix}，但内容不是这种图片。请换成真正的图片文件。")
    return reports, excluded, problems
