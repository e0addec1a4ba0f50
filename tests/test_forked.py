"""Work split with a forked second process: the same results, in order, as working it all here."""

from __future__ import annotations

import multiprocessing
import os
import time

import pytest
from conftest import ROOT

from report_archive import benchcorpus, forked, load_archive, review
from report_archive.cache import Cache, keep_in_memory
from report_archive.sections import compile_patterns


def test_second_half_is_worked_by_another_process_and_comes_back_in_order():
    here = os.getpid()
    items = list(range(301))  # several messages' worth (``forked.CHUNK``)
    results = forked.map_split(lambda i: (i * i, os.getpid()), items, "失败", least=2)
    assert [value for value, _ in results] == [i * i for i in items]
    pids = [pid for _, pid in results]
    assert set(pids[:150]) == {here}
    assert len(set(pids[150:])) == 1 and pids[150] != here
    assert multiprocessing.active_children() == []


def test_few_items_are_worked_here():
    here = os.getpid()
    assert forked.map_split(lambda i: os.getpid(), list(range(10)), "失败", least=11) == [here] * 10


def test_a_process_that_keeps_work_between_builds_works_all_here():
    """What ``mkdocs serve`` keeps in memory while working must stay in its own process."""
    here = os.getpid()
    keep_in_memory(True)
    try:
        assert forked.map_split(lambda i: os.getpid(), list(range(10)), "失败", least=2) == [here] * 10
    finally:
        keep_in_memory(False)


def test_a_failure_in_the_second_process_is_raised_with_its_reason():
    here = os.getpid()

    def work(i: int) -> int:
        if os.getpid() != here:
            raise ValueError("坏数据")
        return i

    with pytest.raises(RuntimeError, match="读取失败：ValueError: 坏数据"):
        forked.map_split(work, list(range(20)), "读取失败", least=2)
    assert multiprocessing.active_children() == []


def test_a_failure_here_stops_the_second_process():
    here = os.getpid()

    def work(i: int) -> int:
        if os.getpid() == here:
            raise KeyError(i)
        return i

    with pytest.raises(KeyError):
        forked.map_split(work, list(range(20)), "失败", least=2)
    assert multiprocessing.active_children() == []


def test_a_second_process_that_dies_is_reported():
    here = os.getpid()

    def work(i: int) -> int:
        if os.getpid() != here:
            os._exit(3)
        return i

    with pytest.raises(RuntimeError, match="进程意外退出（退出码 3）"):
        forked.map_split(work, list(range(20)), "失败", least=2)


def test_start_returns_the_result_of_work_done_elsewhere_once_it_is_done():
    waiter = forked.start(os.getpid, "test", "失败")
    assert waiter is not None
    deadline = time.monotonic() + 60
    while not waiter.done() and time.monotonic() < deadline:
        time.sleep(0.01)
    used = []
    doubled = waiter.then(lambda pid: used.append(pid) or pid * 2)
    assert doubled.done()
    assert doubled() == doubled() == 2 * waiter() and used == [waiter()]  # received and used once
    assert waiter() != os.getpid() and multiprocessing.active_children() == []


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """400 generated reports (more than ``forked.LEAST``), two of them broken, one in each half."""
    path = tmp_path_factory.mktemp("split")
    corpus = benchcorpus.generate(400, ROOT / "docs" / "reports", seed=3)
    benchcorpus.write_project(path, corpus, ROOT)
    reports = sorted((path / "docs" / "reports").rglob("*.md"))
    for broken in (reports[3], reports[-3]):
        broken.write_text(broken.read_text(encoding="utf-8").replace("year:", "year: [", 1), encoding="utf-8")
    return path


def _load(project, cache, split):
    return load_archive(project / "docs", project / "units.yml", cache, split=split)


@pytest.mark.parametrize("cached", [False, True])
def test_split_loading_and_sections_equal_sequential(project, tmp_path, cached):
    cache = Cache(tmp_path / "cache" if cached else None)
    alone = _load(project, Cache(None), split=False)
    split = _load(project, cache, split=True)
    assert len(alone.reports) == 398 and len(alone.problems) >= 2 and len(alone.excluded) == 2
    assert split.reports == alone.reports
    assert (split.problems, split.excluded, split.drafts) == (alone.problems, alone.excluded, alone.drafts)
    patterns = compile_patterns(None)
    assert review.sections_of(split, patterns, cache, split=True) == review.sections_of(alone, patterns)
    if cached:  # the second process's entries serve the next build
        again = Cache(tmp_path / "cache")
        assert _load(project, again, split=False).reports == alone.reports
        assert again.hits == 400 and again.misses == 0
