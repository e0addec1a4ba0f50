"""搜索基准：生成 N 份报告的基准语料，构建网站，用无头 Chromium 测量查询的正确性、耗时和下载量。"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
from pathlib import Path

from _bootstrap import ROOT, corpus_arguments

sys.path.insert(0, str(ROOT / "tests"))  # shared helpers: serving a folder, reading built pages
from bench_build import run_build

from report_archive.benchcorpus import synthesize
from report_archive.search import normalize

QUERIES = [
    *("三会一课", "民主生活会", "菜篮子", "GDP", "ＧＤＰ", "5G", "党", "脱贫攻坚", "改革开放", "“两个维护”"),
    *("不存在的短语啊", "国务院", "周恩来", "一九五四年", "人民代表大会", "（一）", "2019年", "乡村振兴"),
    *("经济 发展", "高质量发展 乡村振兴", "党风廉政建设", "营商环境", "粮食安全", "人工智能", "互联网+"),
    *("城镇新增就业", "供给侧结构性改革", "全面从严治党", "一带一路", "国有企业改革"),
]
# bare: same theme, no hooks; nosearch: the archive without its search index; mkdocs: everything.
BUILDS = (("bare.yml", "site-bare"), ("nosearch.yml", "site-nosearch"), ("mkdocs.yml", "site"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


def page_fields(path: Path) -> list[str]:
    """Normalised title, unit, secretary and body text of a built report page."""
    from html_tools import report_fields

    return [normalize(field) for field in report_fields(path)]


def truth(pages: dict[str, list[str]], query: str) -> set[str]:
    terms = [normalize(t) for t in query.split()]
    return {url for url, fields in pages.items() if all(any(t in f for f in fields) for t in terms)}


def sample_queries(pages: dict[str, list[str]], count: int, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    bodies = [fields[3] for fields in pages.values()]
    picked = []
    while len(picked) < count:
        body = rng.choice(bodies)
        start = rng.randrange(max(1, len(body) - 8))
        picked.append(body[start : start + rng.randint(2, 6)])
    return picked


def measure(site: Path, queries: list[str], pages: dict[str, list[str]]) -> dict[str, float]:
    from conftest import serve
    from playwright.sync_api import sync_playwright

    with serve(site) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"), args=CHROMIUM_ARGS
        )
        page = browser.new_context().new_page()
        page.goto(base + "/search/")
        first = page.evaluate(
            """async q => { await reportSearch(q); return {t: performance.now(), bytes: reportSearch.stats.bytes}; }""",
            queries[0],
        )
        cold, warm, sizes, exact = [], [], [], 0
        for query in queries:
            run = page.evaluate(
                """async q => {
                    const before = reportSearch.stats.bytes;
                    let t = performance.now(); const r = await reportSearch(q); const cold = performance.now() - t;
                    t = performance.now(); await reportSearch(q); const warm = performance.now() - t;
                    return {cold, warm, bytes: reportSearch.stats.bytes - before, urls: r.map(x => x.url)};
                }""",
                query,
            )
            cold.append(run["cold"])
            warm.append(run["warm"])
            sizes.append(run["bytes"])
            exact += set(run["urls"]) == truth(pages, query)
        browser.close()

    def p95(values):
        return sorted(values)[max(0, round(0.95 * len(values)) - 1)]

    return {
        "queries": len(queries),
        "exact": exact,
        "first_query_ms": first["t"],
        "first_query_kib": first["bytes"] / 1024,
        "query_median_ms": statistics.median(cold),
        "query_p95_ms": p95(cold),
        "cached_median_ms": statistics.median(warm),
        "bytes_median_kib": statistics.median(sizes) / 1024,
        "bytes_p95_kib": p95(sizes) / 1024,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="搜索基准：构建合成档案，测量查询正确性、耗时、下载量和索引大小。")
    parser.add_argument("count", type=int, metavar="N", help="报告数（如 2500）")
    parser.add_argument("--queries", type=int, default=65, help="查询总数（固定查询加随机子串，默认 65）")
    parser.add_argument("--repeat", type=int, default=2, help="每种构建重复次数，交替进行，取中位数（默认 2）")
    corpus_arguments(parser)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-search-") as tmp:
        project = Path(tmp)
        synthesize(project, args.count, Path(args.templates), use_copies=args.copies, seed=args.seed)
        times: dict[str, list[float]] = {"bare.yml": [], "nosearch.yml": [], "mkdocs.yml": []}
        for _ in range(args.repeat):  # alternate, so drift on a noisy machine hits all three alike
            for config, folder in (
                ("bare.yml", "site-bare"),
                ("nosearch.yml", "site-nosearch"),
                ("mkdocs.yml", "site"),
            ):
                times[config].append(run_build(project, config, project / folder)[0])
        bare, plain, full = (statistics.median(times[c]) for c in ("bare.yml", "nosearch.yml", "mkdocs.yml"))
        site = project / "site"
        pages = {
            "/" + p.parent.relative_to(site).as_posix() + "/": page_fields(p)
            for p in (site / "reports").rglob("index.html")
        }
        index_bytes = sum(p.stat().st_size for p in (site / "search" / "data").rglob("*") if p.is_file())
        text_bytes = sum(len("".join(fields).encode("utf-8")) for fields in pages.values())
        queries = (QUERIES + sample_queries(pages, max(0, args.queries - len(QUERIES))))[: args.queries]
        result = measure(site, queries, pages)
    result |= {
        "reports": args.count,
        "corpus": "copies" if args.copies else "generated",
        "bare_build_s": bare,
        "build_without_index_s": plain,
        "build_s": full,
        "index_build_share_of_bare": (full - plain) / bare,
        "index_mib": index_bytes / 2**20,
        "text_mib": text_bytes / 2**20,
        "index_to_text": index_bytes / text_bytes,
    }
    for key, value in result.items():
        print(f"{key}\t{value:.3f}" if isinstance(value, float) else f"{key}\t{value}")
    print(json.dumps(result, ensure_ascii=False))
    return 0 if result["exact"] == result["queries"] else 1


if __name__ == "__main__":
    sys.exit(main())
