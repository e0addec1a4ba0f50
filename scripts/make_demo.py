"""重新生成演示档案：把 ../shared 中的种子述职报告和政府工作报告语料导入 docs/reports。"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from _bootstrap import ROOT

from report_archive.importer import ImportOptions, collect_sources, run_import

SEED = "seed/000_b8284a4ff71a7e42.txt"
CORPUS = "corpus/gov-work-reports"
# The seed report names neither its unit nor its author; the demo gives it these.
SEED_FIELDS = {"year": 2022, "unit": "市民政局", "secretary": "张三", "position": "党组书记"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="用共享语料重新生成演示档案（会清空 docs/reports）。")
    parser.add_argument("--shared", default=str(ROOT.parent / "shared"), help="共享目录（默认 ../shared）")
    parser.add_argument("--out", default=str(ROOT / "docs" / "reports"), help="输出目录（默认 docs/reports）")
    args = parser.parse_args(argv)
    shared, out = Path(args.shared), Path(args.out)
    if not (shared / SEED).exists():
        print(f"错误：找不到 {shared / SEED}。", file=sys.stderr)
        return 2
    shutil.rmtree(out, ignore_errors=True)
    units = ROOT / "units.yml"
    seed = run_import([shared / SEED], ImportOptions(out, units, given=SEED_FIELDS))
    corpus = run_import(
        collect_sources([str(shared / CORPUS)]),
        ImportOptions(out, units, pattern="{unit}/{year}.md", kind="政府工作报告"),
        base=shared / CORPUS,
    )
    for outcome in seed + corpus:
        if outcome.status != "导入":
            print(f"{outcome.status}\t{outcome.source}\t{outcome.reason}")
    imported = sum(o.status == "导入" for o in seed + corpus)
    print(f"演示档案：导入 {imported} 份，未导入 {len(seed) + len(corpus) - imported} 份。")
    return 0 if all(o.status == "导入" for o in seed) else 1


if __name__ == "__main__":
    sys.exit(main())
