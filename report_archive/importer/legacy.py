"""Legacy Word and WPS files (.doc, .wps, .wpt, .dot) converted to .docx by LibreOffice headless.

Many files go to one ``soffice`` call (starting LibreOffice costs seconds); the batch is split
over the processor cores, each process with its own profile folder so that they never collide.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .errors import ImportFailure

PACKAGE = "libreoffice-writer-nogui"
MISSING = (
    f"需要 LibreOffice 才能读取此文件：请安装 {PACKAGE}（sudo apt-get install {PACKAGE}），"
    "或在 Word/WPS 中“另存为” .docx 后再导入。"
)
START_SECONDS = 60  # one soffice start, plus PER_FILE for each document converted
PER_FILE = 10


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


WORD_97 = "MS Word 97"  # forced, so that a damaged file fails instead of being read as plain text


OUTPUT = {"docx": "docx:MS Word 2007 XML", "doc": "doc:MS Word 97"}


def _convert_chunk(program: str, inputs: list[Path], out: Path, profile: Path, infilter: str, to: str) -> None:
    command = [
        program,
        f"-env:UserInstallation={profile.as_uri()}",
        *("--headless", "--norestore", "--nolockcheck", f"--infilter={infilter}"),
        *("--convert-to", OUTPUT[to], "--outdir", str(out)),
        *map(str, inputs),
    ]
    with contextlib.suppress(subprocess.TimeoutExpired):  # files not converted are reported one by one
        subprocess.run(
            command,
            capture_output=True,
            timeout=START_SECONDS + PER_FILE * len(inputs),
            check=False,
            env=os.environ | {"HOME": str(profile)},
        )


def convert_many(
    items: list[tuple[bytes, str]], infilter: str = WORD_97, to: str = "docx"
) -> list[bytes | ImportFailure]:
    """Each (data, suffix) as .docx (or ``to``) bytes, or the failure for that file."""
    if not items:
        return []
    program = soffice()
    if program is None:
        return [ImportFailure(MISSING) for _ in items]
    with tempfile.TemporaryDirectory(prefix="import-soffice-") as folder:
        root = Path(folder)
        inputs = []
        for number, (data, suffix) in enumerate(items):
            source = root / "in" / f"{number}{suffix}"
            source.parent.mkdir(exist_ok=True)
            source.write_bytes(data)
            inputs.append(source)
        workers = max(1, min(os.cpu_count() or 1, len(inputs)))
        chunks = [inputs[i::workers] for i in range(workers)]
        with ThreadPoolExecutor(workers) as pool:
            for i, chunk in enumerate(chunks):
                pool.submit(_convert_chunk, program, chunk, root / "out", root / f"profile{i}", infilter, to)
        results: list[bytes | ImportFailure] = []
        for number in range(len(items)):
            target = root / "out" / f"{number}.{to}"
            if target.exists() and target.stat().st_size:
                results.append(target.read_bytes())
            else:
                results.append(ImportFailure("LibreOffice 无法转换此文件：文件可能已损坏或受密码保护。"))
        return results


def convert_one(data: bytes, suffix: str, infilter: str = WORD_97) -> bytes:
    result = convert_many([(data, suffix)], infilter)[0]
    if isinstance(result, ImportFailure):
        raise result
    return result
