"""导入基准：生成 N 份各不相同的 Word 报告（.docx 或 .doc），计时导入整个文件夹。"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

import docx
from _bootstrap import ROOT

from report_archive.importer import ImportOptions, collect_sources, run_import
from report_archive.importer.legacy import convert_many, soffice

DATA = ROOT / "tests" / "data"
LABELS = ["一、", "二、", "三、", "四、"]


def paragraphs() -> list[str]:
    """Body paragraphs drawn from the fixtures (the seed report and the corpus)."""
    texts = [DATA / "seed.txt", *sorted((DATA / "corpus").rglob("*.md"))]
    lines = [line.strip() for t in texts for line in t.read_text(encoding="utf-8").splitlines()]
    return [line for line in lines if len(line) > 40 and not line.startswith(("#", "-", "|", "<", "*", "!"))]


def make_report(number: int, pool: list[str], folder: Path) -> Path:
    """Report ``number``: its own unit, year, speaker and a different choice of paragraphs."""
    chance = random.Random(number)
    document = docx.Document()
    document.add_paragraph(f"{2000 + number % 24}年度第{number}单位党组书记述职报告")
    document.add_paragraph(f"第{number}单位党组书记 张{'一二三四五六七八九'[number % 9]}")
    for label in LABELS:
        document.add_paragraph(f"{label}{chance.choice(pool)[:12]}")
        for _ in range(4):
            document.add_paragraph(chance.choice(pool))
    path = folder / f"第{number}单位" / f"{2000 + number % 24}.docx"
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(path)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="导入基准：生成 N 份不同的报告并计时导入（不计生成时间）。")
    parser.add_argument("n", type=int, metavar="N", help="报告份数，如 500")
    parser.add_argument("--format", choices=("docx", "doc"), default="docx", help="报告格式（默认 docx）")
    args = parser.parse_args(argv)
    if args.format == "doc" and soffice() is None:
        print("错误：生成 .doc 需要 LibreOffice（libreoffice-writer-nogui）。", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="bench-import-") as folder:
        root = Path(folder)
        pool = paragraphs()
        paths = [make_report(n, pool, root / "in") for n in range(args.n)]
        if args.format == "doc":
            converted = convert_many([(p.read_bytes(), ".docx") for p in paths], "MS Word 2007 XML", to="doc")
            for path, data in zip(paths, converted, strict=True):
                if isinstance(data, bytes):
                    path.with_suffix(".doc").write_bytes(data)
                path.unlink()
        options = ImportOptions(root / "out", root / "units.yml", pattern="{unit}/{year}." + args.format)
        options.add_units = True
        start = time.perf_counter()
        outcomes = run_import(collect_sources([str(root / "in")]), options, base=root / "in")
        seconds = time.perf_counter() - start
    failed = [o for o in outcomes if o.status != "导入"]
    print(f"导入 {args.n} 份 .{args.format}：{seconds:.1f} 秒（{len(failed)} 份未导入）")
    for outcome in failed[:5]:
        print(f"  {outcome.status} {outcome.source}：{outcome.reason}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
