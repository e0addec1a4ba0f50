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


def scan_docs(docs_dir: Path) -> tuple[list[tuple[str, str]], list[str], list[Problem]]:
    """Report files to load (each as its path and its docs-relative name), docs-relative paths to
    leave out of the build, and the problems found.

    Symlinks are reported wherever they are under ``docs_dir`` and never followed. A folder's files
    come before its subfolders', each in name order.
    """
    reports: list[tuple[str, str]] = []
    excluded: list[str] = []
    problems: list[Problem] = []

    def refuse(name: str, message: str) -> None:
        excluded.append(name)
        problems.append(Problem(name, None, message, "file"))

    def scan(folder: str, prefix: str) -> None:
        in_reports = prefix.startswith(REPORTS_DIR + "/")
        try:
            with os.scandir(folder) as found:
                entries = sorted(found, key=lambda e: e.name)
        except OSError:  # unreadable: left out, as os.walk leaves it
            return
        folders = []
        for entry in entries:
            name = prefix + entry.name
            if entry.is_symlink() and entry.is_dir():
                refuse(name, "这是一个符号链接（目录），不允许放在 docs 下：它会把链接指向的内容发布出去。请删除。")
            elif entry.is_symlink():
                refuse(name, "这是一个符号链接，不允许放在 docs 下：它会把链接指向的文件发布出去。请删除。")
            elif entry.is_dir(follow_symlinks=False):
                if in_reports and entry.name.lower().endswith(".md"):
                    refuse(name, "这是一个目录，不是报告文件：报告应是 reports/<年份>/<单位>.md 文件。请改名或删除。")
                else:
                    folders.append(entry)
            elif not in_reports:
                continue
            elif entry.name.endswith(".md"):
                reports.append((entry.path, name))
            elif Path(entry.name).suffix.lower() not in IMAGES:
                kinds = "、".join(sorted(IMAGES))
                refuse(name, f"reports 下只能放报告（.md）和图片（{kinds}），不能放这种文件。请删除或移走。")
            elif not _image_ok(Path(entry.path)):
                refuse(name, f"文件扩展名是 {Path(entry.name).suffix}，但内容不是这种图片。请换成真正的图片文件。")
        for entry in folders:
            scan(entry.path, prefix + entry.name + "/")

    scan(str(docs_dir), "")
    return reports, excluded, problems
