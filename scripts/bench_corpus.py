"""基准语料对比：演示档案、生成的基准语料和旧方法（复制演示报告）的文字统计，看生成的语料是否像真实报告。"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from _bootstrap import ROOT

from report_archive import benchcorpus
from report_archive.search import normalize

ROWS = [
    ("reports", "报告数", "{:.0f}"),
    ("unique_bigrams", "只出现一次的二字组占比（同等文字量的抽样）", "{:.1%}"),
    ("distinct_bigrams", "不同二字组数 / 二字组总数（同上）", "{:.1%}"),
    ("reuse_anywhere", "与任一其他报告重复的文字占比（平均）", "{:.1%}"),
    ("reuse_previous", "与本单位上一份报告重复的文字占比（平均）", "{:.1%}"),
    ("mean_chars", "平均每份字数（规范化后）", "{:.0f}"),
]


def compare(count: int, templates: Path, seed: int = 1) -> dict[str, dict[str, float]]:
    """The statistics of the demo archive, a generated corpus of ``count`` reports and ``count`` copies."""
    demo = benchcorpus.read_demo(templates)
    sample = sum(len(normalize(e.body)) for e in demo.entries)  # every corpus sampled to the demo's size
    corpora = {
        "demo": demo,
        "generated": benchcorpus.generate(count, templates, seed),
        "copies": benchcorpus.copies(count, templates),
    }
    return {name: benchcorpus.statistics(corpus, sample, seed) for name, corpus in corpora.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="对比演示档案、生成语料和复制语料的文字统计。")
    parser.add_argument("count", type=int, metavar="N", help="生成语料和复制语料的报告数（如 500）")
    parser.add_argument("--seed", type=int, default=1, help="生成语料的随机种子（默认 1）")
    parser.add_argument("--templates", default=str(ROOT / "docs" / "reports"), help="演示报告（默认演示档案）")
    args = parser.parse_args(argv)
    figures = compare(args.count, Path(args.templates), args.seed)
    print("\t".join(["指标", "演示档案", "生成语料", "复制语料"]))
    for key, label, form in ROWS:
        print("\t".join([label, *(form.format(figures[name][key]) for name in ("demo", "generated", "copies"))]))
    print(json.dumps(figures, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
