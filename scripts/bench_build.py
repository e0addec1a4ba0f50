"""构建基准：生成 N 份报告的基准语料，比较完整构建与“裸”构建（同一主题、无钩子、报告不进导航）的耗时、
输出大小和内存峰值，以及 `make serve`（mkdocs serve）的首页和修改、新增、删除报告后页面与索引更新的时间。"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import re
import shlex
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

from _bootstrap import ROOT, corpus_arguments

from report_archive import load_archive, reuse
from report_archive.benchcorpus import Corpus, Entry, synthesize
from report_archive.pages import slug
from report_archive.processes import interrupt

ENV = os.environ | {"NO_MKDOCS_2_WARNING": "1"}
CACHE = ".bench-cache"  # the archive's build cache in the benchmark project (ARCHIVE_CACHE_DIR)


def run_build(project: Path, config: str, site: Path, cache: Path | None = None) -> tuple[float, int, int]:
    """One build in a child process: seconds, peak RSS in bytes, output bytes."""
    shutil.rmtree(site, ignore_errors=True)
    command = [sys.executable, "-m", "mkdocs", "build", "-q", "-f", config, "-d", str(site)]
    env = ENV | {"ARCHIVE_CACHE_DIR": str(cache) if cache else "off"}
    start = time.perf_counter()
    # Started from a small process: a child forked from this one would count this one's memory.
    result = subprocess.run([sys.executable, "-c", MEASURE, *command], cwd=project, env=env, capture_output=True)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"构建失败（{config}）：\n{result.stderr.decode()}")
    size = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
    return seconds, int(result.stdout.split()[-1]) * 1024, size


# Run a command, exit with its status, print its peak resident memory in KiB.
MEASURE = (
    "import resource, subprocess, sys; status = subprocess.call(sys.argv[1:]); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(status)"
)


# bare: same theme, no hooks, reports out of the nav; archive: this project without its search
# index, cold (empty cache); site: everything, search index included, cold; warm: the site again
# with the cache the cold build filled and nothing changed.
BUILDS = {"bare": "bare.yml", "archive": "nosearch.yml", "site": "mkdocs.yml", "warm": "mkdocs.yml"}
BUILD_COLUMNS = ["裸(s)", "档案(s)", "档案/裸", "含搜索(s)", "含搜索/裸"]
BUILD_COLUMNS += ["裸(MB)", "档案(MB)", "档案/裸大小", "含搜索(MB)", "档案字节/份", "内存峰值(MB)"]
BUILD_COLUMNS += ["重复率计算(s)", "重复率/裸", "温构建(s)", "温构建/裸", "裸内存(MB)", "含搜索内存(MB)", "内存/裸"]
SERVE_COLUMNS = ["裸首页(s)", "档案首页(s)", "首页/裸", "裸修改→页面(s)", "修改→页面(s)", "修改→索引(s)"]
SERVE_COLUMNS += ["新增→索引(s)", "删除→索引(s)"]


def bench_builds(project: Path, count: int, repeat: int) -> dict[str, float]:
    runs: dict[str, list[tuple[float, int, int]]] = {name: [] for name in BUILDS}
    cache = project / CACHE
    for _ in range(repeat):  # alternate, so drift on a noisy machine hits all alike
        for name, config in BUILDS.items():
            if name in ("archive", "site"):
                shutil.rmtree(cache, ignore_errors=True)  # cold: nothing cached
            site = project / f"site-{'site' if name == 'warm' else name}"
            runs[name].append(run_build(project, config, site, None if name == "bare" else cache))
    # The text-reuse figures are part of the archive build; time them on their own as well.
    archive = load_archive(project / "docs", project / "units.yml")
    start = time.perf_counter()
    reuse.attach(archive)
    reuse_seconds = time.perf_counter() - start
    seconds = {name: statistics.median(r[0] for r in results) for name, results in runs.items()}
    size = {name: results[0][2] for name, results in runs.items()}
    memory = {name: max(r[1] for r in results) for name, results in runs.items()}
    return {
        "bare_s": seconds["bare"],
        "archive_s": seconds["archive"],
        "archive_ratio": seconds["archive"] / seconds["bare"],
        "site_s": seconds["site"],
        "site_ratio": seconds["site"] / seconds["bare"],
        "bare_mb": size["bare"] / 2**20,
        "archive_mb": size["archive"] / 2**20,
        "size_ratio": size["archive"] / size["bare"],
        "site_mb": size["site"] / 2**20,
        "archive_bytes_per_report": size["archive"] / count,
        "peak_rss_mb": max(memory.values()) / 2**20,
        "reuse_s": reuse_seconds,
        "reuse_ratio": reuse_seconds / seconds["bare"],
        "warm_s": seconds["warm"],
        "warm_ratio": seconds["warm"] / seconds["bare"],
        "bare_rss_mb": memory["bare"] / 2**20,
        "site_rss_mb": memory["site"] / 2**20,
        "rss_ratio": memory["site"] / memory["bare"],
    }


# --- mkdocs serve -----------------------------------------------------------------------------


def makefile_serve_args() -> list[str]:
    """The arguments `make serve` gives `mkdocs serve`, read from the Makefile so they stay in sync."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    match = re.search(r"^\t\$\(BIN\)/mkdocs serve (.+)$", makefile, re.MULTILINE)
    if not match:
        raise SystemExit("错误：Makefile 中没有找到 mkdocs serve 一行。")
    return shlex.split(match.group(1))


def serve_command(config: str, args: list[str], port: int) -> list[str]:
    address = f"127.0.0.1:{port}"
    args = [address if a == "$(ADDR)" else a for a in args]
    if address not in args:
        args = ["--dev-addr", address, *args]
    return [sys.executable, "-m", "mkdocs", "serve", "-f", config, *args]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, ""
    except OSError:
        return 0, ""


Check = Callable[[int, str], bool]


# How often a page is asked for while waiting: the edited report's page every 0.05 s (as the bare
# theme's), each index page at most every INDEX_POLL seconds. Asking for all of them 20 times a second
# (among them the review page and the search data, about 0.6 and 1 MB at 10,000 reports) loads the
# very server whose rebuild is being timed.
PAGE_POLL, INDEX_POLL = 0.05, 0.25


def wait_all(checks: dict[str, tuple[str, Check]], start: float, timeout: float) -> dict[str, float | None]:
    """Seconds from ``start`` until each check holds (None: not within ``timeout``).

    Each URL is polled until its check holds: ``page`` every ``PAGE_POLL`` seconds, the others every
    ``INDEX_POLL`` seconds (their times are that much coarser).
    """
    done: dict[str, float | None] = {}
    asked: dict[str, float] = {}
    while len(done) < len(checks):
        for name, (url, check) in checks.items():
            now = time.perf_counter()
            if name in done or now - asked.get(name, -math.inf) < (PAGE_POLL if name == "page" else INDEX_POLL):
                continue
            asked[name] = now
            if check(*get(url)):
                done[name] = time.perf_counter() - start
        if time.perf_counter() - start > timeout:
            break
        time.sleep(PAGE_POLL)
    return {name: done.get(name) for name in checks}


def url_of(path: str) -> str:
    """The URL of a report under the served root (``reports/2022/单位.md`` -> ``/reports/2022/单位/``)."""
    return "/" + quote(path.removesuffix(".md") + "/")


def report_text(entry: Entry, secretary: str, title: str, extra: str) -> str:
    text = re.sub(r"^secretary: .*$", f"secretary: {secretary}", entry.text, count=1, flags=re.MULTILINE)
    text = re.sub(r"^title: .*$", f"title: {title}", text, count=1, flags=re.MULTILINE)
    return text + "\n" + extra + "\n"


def index_checks(base: str, year: int, unit: str, name: str, shown: bool) -> dict[str, tuple[str, Check]]:
    """Every index that mentions a report with reporting person ``name``: it is there (``shown``) or gone."""

    def has(status: int, body: str) -> bool:
        return status == 200 and (name in body) == shown

    return {
        "year": (f"{base}/years/{year}/", has),
        "unit": (f"{base}/units/{quote(slug(unit))}/", has),
        "secretary": (f"{base}/secretaries/{quote(slug(name))}/", lambda s, b: s == (200 if shown else 404)),
        "home": (f"{base}/", has),
        "review": (f"{base}/review/{year}/", has),
        "search": (f"{base}/search/data/docs.json", has),
    }


def changed(url: str, before: str) -> tuple[str, Check]:
    return url, lambda status, body: status == 200 and body != before


def slowest(times: dict[str, float | None]) -> float:
    return math.inf if any(t is None for t in times.values()) else max(t for t in times.values() if t is not None)


def serve_archive(project: Path, corpus: Corpus, args: list[str], edits: int, timeout: float) -> dict:
    """First page, edits, an addition and a deletion in a running `mkdocs serve` of the archive."""
    env = ENV | {"ARCHIVE_CACHE_DIR": str(project / CACHE)}
    with serving(project, "mkdocs.yml", args, env, timeout) as (base, first):
        figures: dict = {"first_page_s": first}
        if not math.isfinite(first):
            return figures
        latest = max(e.year for e in corpus.entries)
        target = min((e for e in corpus.entries if e.year == latest), key=lambda e: e.path)
        page, stats = base + url_of(target.path), base + "/stats/"
        to_page, to_indexes = [], []
        for number in range(1, edits + 1):
            name, marker = f"基准修改{number}号", f"基准正文{number}号"
            # The body grows by 1,000 or 5,000 characters in turn, so each year's mean length changes.
            extra = marker + "测试文字。" * (200 if number % 2 else 1000)
            checks = {"page": (page, lambda s, b, m=marker: s == 200 and m in b)}
            checks |= index_checks(base, target.year, target.unit, name, shown=True)
            checks["stats"] = changed(stats, get(stats)[1])
            edit_start = time.perf_counter()
            (project / "docs" / target.path).write_text(
                report_text(target, name, f"基准标题{number}", extra), encoding="utf-8"
            )
            times = wait_all(checks, edit_start, timeout)
            to_page.append(times.pop("page") or math.inf)
            to_indexes.append(slowest(times))
            time.sleep(1)  # let the rebuild finish before the next change
        figures["edit_page_s"] = statistics.median(to_page)
        figures["edit_indexes_s"] = statistics.median(to_indexes)
        figures["edit_page_runs"], figures["edit_indexes_runs"] = to_page, to_indexes
        # Add a report for a unit that has none in the latest year (so the home page lists it), then delete it.
        present = {e.unit for e in corpus.entries if e.year == latest}
        unit = next((u for u in corpus.units if u not in present), None)
        if unit is None:
            return figures
        added = Entry(latest, unit, target.text.replace(f"unit: {target.unit}\n", f"unit: {unit}\n", 1))
        name, marker = "基准新增", "基准新增正文"
        years_before, stats_before = get(base + "/years/")[1], get(stats)[1]
        checks = {"page": (base + url_of(added.path), lambda s, b: s == 200 and marker in b)}
        checks |= index_checks(base, latest, unit, name, shown=True)
        checks |= {"stats": changed(stats, stats_before), "years": changed(base + "/years/", years_before)}
        add_start = time.perf_counter()
        path = project / "docs" / added.path
        path.write_text(report_text(added, name, "基准新增报告", marker), encoding="utf-8")
        figures["add_indexes_s"] = slowest(wait_all(checks, add_start, timeout))
        time.sleep(1)
        years_before, stats_before = get(base + "/years/")[1], get(stats)[1]
        checks = {"page": (base + url_of(added.path), lambda s, b: s == 404)}
        checks |= index_checks(base, latest, unit, name, shown=False)
        checks |= {"stats": changed(stats, stats_before), "years": changed(base + "/years/", years_before)}
        delete_start = time.perf_counter()
        path.unlink()
        figures["delete_indexes_s"] = slowest(wait_all(checks, delete_start, timeout))
        return figures


def serve_bare(project: Path, corpus: Corpus, args: list[str], edits: int, timeout: float) -> dict:
    """First page and edits of one report in a running `mkdocs serve` of the bare theme."""
    target = min(corpus.entries, key=lambda e: (-e.year, e.path))
    with serving(project, "bare.yml", args, ENV, timeout) as (base, first):
        figures: dict = {"bare_first_page_s": first}
        if not math.isfinite(first):
            return figures
        to_page = []
        for number in range(1, edits + 1):
            marker = f"基准正文{number}号"
            checks = {"page": (base + url_of(target.path), lambda s, b, m=marker: s == 200 and m in b)}
            edit_start = time.perf_counter()
            (project / "docs" / target.path).write_text(target.text + "\n" + marker + "\n", encoding="utf-8")
            to_page.append(wait_all(checks, edit_start, timeout)["page"] or math.inf)
            time.sleep(1)
        figures["bare_edit_page_s"] = statistics.median(to_page)
    (project / "docs" / target.path).write_text(target.text, encoding="utf-8")  # as it was, for the archive
    return figures


@contextlib.contextmanager
def serving(project: Path, config: str, args: list[str], env: dict, timeout: float) -> Iterator[tuple[str, float]]:
    """`mkdocs serve` of ``config``: the base URL and the seconds from start until the home page answered."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with (project / f"serve-{Path(config).stem}.log").open("wb") as log:
        start = time.perf_counter()
        command = serve_command(config, args, port)
        process = subprocess.Popen(command, cwd=project, env=env, stdout=log, stderr=log)
        try:
            first = wait_all({"home": (base + "/", lambda s, b: s == 200 and "</html>" in b)}, start, timeout)
            yield base, first["home"] if first["home"] is not None else math.inf
        finally:  # (MkDocs' temporary site folder is GBs at 10,000 reports)
            interrupt(process, timeout=60)


def bench_serve(project: Path, corpus: Corpus, args: list[str], edits: int, timeout: float) -> dict[str, float]:
    figures = serve_bare(project, corpus, args, edits, timeout)
    figures |= serve_archive(project, corpus, args, edits, timeout)
    bare, archive = figures.get("bare_first_page_s", math.inf), figures.get("first_page_s", math.inf)
    figures["first_page_ratio"] = archive / bare if math.isfinite(archive) and math.isfinite(bare) else math.inf
    return figures


BUILD_KEYS = ["bare_s", "archive_s", "archive_ratio", "site_s", "site_ratio", "bare_mb", "archive_mb", "size_ratio"]
BUILD_KEYS += ["site_mb", "archive_bytes_per_report", "peak_rss_mb", "reuse_s", "reuse_ratio", "warm_s", "warm_ratio"]
BUILD_KEYS += ["bare_rss_mb", "site_rss_mb", "rss_ratio"]
SERVE_KEYS = ["bare_first_page_s", "first_page_s", "first_page_ratio", "bare_edit_page_s", "edit_page_s"]
SERVE_KEYS += ["edit_indexes_s", "add_indexes_s", "delete_indexes_s"]


def cell(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isinf(value)):
        return "超时"
    if isinstance(value, int):
        return str(value)
    return f"{value:.2f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="构建基准：完整构建与裸构建的耗时比、输出大小比和内存峰值，mkdocs serve 的首页和更新时间。"
    )
    parser.add_argument("counts", nargs="+", type=int, metavar="N", help="报告数，可给多个（如 300 2500）")
    parser.add_argument("--repeat", type=int, default=3, help="每种构建重复次数，交替进行，取中位数（默认 3）")
    corpus_arguments(parser)
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--no-serve", action="store_true", help="只测构建，不测 mkdocs serve")
    group.add_argument("--serve-only", action="store_true", help="只测 mkdocs serve，不测构建")
    parser.add_argument("--edits", type=int, default=5, help="serve 中修改报告的次数，取中位数（默认 5）")
    parser.add_argument("--serve-timeout", type=float, default=600, help="serve 每项等待的最长秒数（默认 600）")
    parser.add_argument(
        "--serve-args",
        help="mkdocs serve 的参数（默认读取 Makefile 的 serve 一行，如 “--dev-addr $(ADDR) --livereload --dirty”）",
    )
    args = parser.parse_args(argv)
    serve_args = shlex.split(args.serve_args) if args.serve_args is not None else makefile_serve_args()
    columns = ["报告数"] + ([] if args.serve_only else BUILD_COLUMNS) + ([] if args.no_serve else SERVE_COLUMNS)
    keys = ([] if args.serve_only else BUILD_KEYS) + ([] if args.no_serve else SERVE_KEYS)
    print("\t".join(columns), flush=True)
    results = []
    for count in args.counts:
        with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
            project = Path(tmp)
            corpus = synthesize(project, count, Path(args.templates), use_copies=args.copies, seed=args.seed)
            result: dict = {"reports": count, "corpus": "copies" if args.copies else "generated"}
            if not args.serve_only:
                result |= bench_builds(project, count, args.repeat)
            if not args.no_serve:
                result["serve_args"] = serve_args
                result["serve_cache"] = "cold" if args.serve_only else "warm"
                result |= bench_serve(project, corpus, serve_args, args.edits, args.serve_timeout)
        print("\t".join([str(count), *(cell(result.get(k)) for k in keys)]), flush=True)
        results.append(result)
    for result in results:
        print(
            json.dumps(
                {k: (None if isinstance(v, float) and math.isinf(v) else v) for k, v in result.items()},
                ensure_ascii=False,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
