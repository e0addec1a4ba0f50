"""Run pandoc (the binary bundled in the pinned ``pypandoc-binary`` wheel) on untrusted input."""

from __future__ import annotations

import subprocess
import tempfile
from functools import cache
from pathlib import Path

from .errors import ImportFailure

TIMEOUT = 120  # seconds for one document
FILTER = Path(__file__).with_name("tables.lua")


@cache
def pandoc_path() -> str:
    try:
        import pypandoc

        return pypandoc.get_pandoc_path()
    except (ImportError, OSError) as exc:
        raise ImportFailure("找不到 pandoc：请运行 pip install -r requirements.txt（含 pypandoc-binary）。") from exc


def run_pandoc(data: bytes, source_format: str, suffix: str = ".bin") -> str:
    """``data`` in ``source_format`` as GitHub-flavoured Markdown, tracked changes accepted."""
    with tempfile.TemporaryDirectory(prefix="import-") as folder:
        source = Path(folder) / f"source{suffix}"
        source.write_bytes(data)
        command = [
            pandoc_path(),
            *("+RTS", "-M2g", "-RTS"),
            "--sandbox",
            *("--from", source_format, "--to", "gfm-raw_html", "--wrap=none"),
            "--track-changes=accept",
            *("--lua-filter", str(FILTER)),
            str(source),
        ]
        try:
            result = subprocess.run(command, capture_output=True, timeout=TIMEOUT, cwd=folder, check=False)
        except subprocess.TimeoutExpired as exc:
            raise ImportFailure(f"转换超时（超过 {TIMEOUT} 秒），文件可能已损坏。") from exc
    if result.returncode != 0:
        raise ImportFailure("无法转换此文件：文件已损坏，或内容与扩展名不符。")
    return result.stdout.decode("utf-8", "replace")
