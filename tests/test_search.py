"""Normalisation and the search index, read back with an independent decoder of its format."""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import threading
import time
import unicodedata
from pathlib import Path

import pytest
from conftest import SEED, tree_differences

from report_archive import liveindex, search
from report_archive.cache import Cache
from report_archive.search import build_index, display_text, html_to_text, make_doc, normalize, shard_counts


def test_normalize_full_width_case_and_space():
    assert normalize("ＧＤＰ 增长") == "gdp增长"
    assert normalize("5Ｇ\u3000网络\n建设") == "5g网络建设"
    assert normalize("三会\r\n一课") == "三会一课"
    assert normalize("\ufeff\x00abc") == "abc"
    assert normalize("") == ""


def test_display_text_keeps_single_spaces_and_lines_up_with_normalize():
    text = display_text("  第一段\n\n 第二段\tGDP  ")
    assert text == "第一段 第二段 GDP"
    assert normalize(text) == text.replace(" ", "").lower()


def test_normalisation_equals_the_plain_definitions():
    """NFKC line by line and white space by ``str.split`` give what one NFKC call and ``\\s+`` give."""
    spaces = "".join(c for c in map(chr, range(0x3001)) if c.isspace())
    samples = [
        "第Ⅱ部分\n二、Ⅲ类\u3000项目\n\n无罗马数字的一行",
        "Ⅳ\ne\u0301\n\u0301开头的组合符\n한\u1100\u1161글",
        f"前{spaces}后\x00\x85\u2028中\ufeff末",
        "\n\nⅫ\n",
    ]
    for text in samples:
        plain = unicodedata.normalize("NFKC", text.replace("\u2026", "..."))
        plain = re.sub(r"[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\ufeff]", "", plain)
        assert display_text(text) == re.sub(r"\s+", " ", plain).strip()
        assert normalize(text) == re.sub(r"\s+", "", plain).lower()


def test_html_to_text_drops_markup_and_decodes_entities():
    html = "<h1>标题</h1><p>正文&lt;img src=x onerror=alert(1)&gt;<strong>三会</strong>一课</p><script>x()</script>"
    assert html_to_text(html) == "标题 正文<img src=x onerror=alert(1)> 三会 一课"


# --- reading the index back -------------------------------------------------------------------


def _varints(data: bytes, at: int, count: int) -> tuple[list[int], int]:
    values = []
    for _ in range(count):
        value = shift = 0
        while True:
            byte = data[at]
            at += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                break
        values.append(value)
    return values, at


def _read_shard(path: Path, fields: int) -> dict[str, tuple[int, bytes, int]]:
    data = path.read_bytes()
    (count,), at = _varints(data, 0, 1)
    headers = []
    for _ in range(count):
        header, at = _varints(data, at, fields)
        headers.append(header)
    entries = {}
    for header in headers:
        key = "".join(chr(c) for c in header[: fields - 2])
        entries[key] = (header[-2], data, at)
        at += header[-1]
    return entries


class Index:
    """A plain-Python reader of the files ``build_index`` writes (and of a delta beside them)."""

    def __init__(self, folder: Path, meta: dict | None = None):
        self.folder = folder
        self.meta = meta or json.loads((folder / "docs.json").read_text(encoding="utf-8"))
        self.starts = [doc[5] for doc in self.meta["docs"]]
        delta = self.meta.get("delta")
        self.delta = Index(folder / delta["path"], delta) if delta else None

    def by_url(self, term: str) -> dict[str, int]:
        """Report URL -> occurrences of ``term``, the delta's reports replacing the hidden ones."""
        hidden = set(self.meta.get("hidden", []))
        found = {self.meta["docs"][n][0]: c for n, c in self.search(term).items() if n not in hidden}
        return found | (self.delta.by_url(term) if self.delta else {})

    def bigram(self, pair: str) -> list[int]:
        shard = (ord(pair[0]) * self.meta["hashMult"] + ord(pair[1])) % self.meta["bigramShards"]
        path = self.folder / "b" / f"{shard}.bin"
        if not path.exists() or pair not in (entries := _read_shard(path, 4)):
            return []
        count, data, at = entries[pair]
        gaps, _ = _varints(data, at, count)
        positions, total = [], 0
        for gap in gaps:
            total += gap
            positions.append(total)
        return positions

    def unigram(self, char: str) -> dict[int, int]:
        path = self.folder / "u" / f"{ord(char) % self.meta['unigramShards']}.bin"
        if not path.exists() or char not in (entries := _read_shard(path, 3)):
            return {}
        count, data, at = entries[char]
        values, _ = _varints(data, at, 2 * count)
        found, doc = {}, 0
        for gap, occurrences in zip(values[::2], values[1::2], strict=True):
            doc += gap
            found[doc] = occurrences
        return found

    def doc_of(self, position: int) -> int:
        return max(i for i, start in enumerate(self.starts) if start <= position)

    def search(self, term: str) -> dict[int, int]:
        """Documents containing the normalised ``term``, with occurrence counts."""
        if len(term) == 1:
            return self.unigram(term)
        offsets = list(range(0, len(term) - 1, 2))
        if offsets[-1] + 2 < len(term):
            offsets.append(len(term) - 2)
        sets = [{p - o for p in self.bigram(term[o : o + 2])} for o in offsets]
        found: dict[int, int] = {}
        for position in set.intersection(*sets):
            doc = self.doc_of(position)
            found[doc] = found.get(doc, 0) + 1
        return found


def _count(text: str, term: str) -> int:
    """Occurrences of ``term`` in ``text`` counted the way the index counts them (overlapping)."""
    return sum(1 for i in range(len(text) - len(term) + 1) if text.startswith(term, i))


RAW = [
    ("reports/2021/a/", "2021年述职报告", 2021, "市民政局", "张三", "加强“三会一课”制度。GDP 增长 5G 网络。"),
    ("reports/2022/a/", "2022年述职报告", 2022, "市民政局", "李四", "ＧＤＰ增长；三会 一课；菜篮子工程；啊啊啊"),
    ("reports/2022/b/", "民主生活会", 2022, "市财政局", "王五", "𠀀𠀁 扩展汉字 and English Words."),
]
DOCS = [make_doc(*raw) for raw in RAW]


@pytest.fixture(scope="module")
def index(tmp_path_factory) -> Index:
    folder = tmp_path_factory.mktemp("index") / "search"
    stats = build_index(DOCS, folder)
    assert stats.documents == 3 and stats.files > 3
    return Index(folder)


def _truth(term: str) -> dict[int, int]:
    found = {}
    for number, (_, title, _, unit, secretary, body) in enumerate(RAW):
        fields = [normalize(title), normalize(unit), normalize(secretary), normalize(body)]
        count = sum(_count(field, term) for field in fields)
        if count:
            found[number] = count
    return found


@pytest.mark.parametrize(
    "query",
    [
        "三会一课",
        "gdp",
        "5g",
        "菜篮子",
        "三",
        "啊",
        "啊啊",
        "啊啊啊",
        "“三会一课”",
        "民主生活会",
        "𠀀𠀁",
        "englishwords",
        "张三",
    ],
)
def test_index_finds_exactly_the_occurrences(index, query):
    assert index.search(normalize(query)) == _truth(normalize(query))


def test_full_width_query_matches_half_width_text(index):
    assert index.search(normalize("ＧＤＰ")) == {0: 1, 1: 1}


def test_phrase_absent_and_longer_than_any_report(index):
    assert index.search(normalize("不存在的短语")) == {}
    assert index.search(normalize("三会一课" * 40)) == {}


def test_terms_do_not_match_across_fields_or_reports(index):
    # unit + secretary, and the end of one report + the start of the next, are never joined
    assert index.search(normalize("市民政局张三")) == {}
    assert index.search(normalize("网络。2022")) == {}


def test_an_index_built_in_a_child_process_is_the_same(tmp_path):
    here, apart = tmp_path / "here", tmp_path / "apart"
    assert search.build_index_apart(iter(DOCS), apart) == build_index(DOCS, here)  # sent one at a time
    assert (here / "docs.json").exists() and tree_differences(here, apart) == []


def test_the_child_process_reads_stored_texts_from_the_cache(tmp_path):
    """Documents that name their body's cache entry index as those sent with their text; an entry
    that does not check out stops the index with a message that says what to do."""
    cache = Cache(tmp_path / "cache")
    stored = []
    for number, doc in enumerate(DOCS):
        key = f"{number:064x}"
        cache.put(key, doc.text[doc.body_start :])
        stored.append(search.StoredDoc(doc.url, doc.title, doc.year, doc.unit, doc.secretary, str(cache.folder), key))
    mixed = [d if n % 2 else DOCS[n] for n, d in enumerate(stored)]
    here, apart = tmp_path / "here", tmp_path / "apart"
    assert search.build_index_apart(iter(mixed), apart) == build_index(DOCS, here)
    assert (here / "docs.json").exists() and tree_differences(here, apart) == []
    entry = cache.folder / stored[1].key[:2] / stored[1].key[2:]
    entry.write_bytes(entry.read_bytes()[:-1] + b"x")  # a flipped byte
    with pytest.raises(RuntimeError, match="检索文本不在缓存中"):
        search.build_index_apart(stored, tmp_path / "broken")


def test_an_index_that_releases_its_texts_is_the_same(tmp_path):
    """The child process lets go of each text once it is in the arrays: same files, same figures."""
    here, released = tmp_path / "here", tmp_path / "released"
    docs = list(DOCS)
    assert build_index(docs, released, release=True) == build_index(DOCS, here)
    assert [d.text for d in docs] == [""] * len(DOCS) and [d.url for d in docs] == [d.url for d in DOCS]
    assert (here / "docs.json").exists() and tree_differences(here, released) == []


def test_a_failing_document_source_stops_the_child_process_with_its_own_error(tmp_path):
    def documents():
        yield DOCS[0]
        raise RuntimeError("检索文本不在缓存中")

    with pytest.raises(RuntimeError, match="检索文本不在缓存中"):
        search.build_index_apart(documents(), tmp_path / "apart")
    assert not (tmp_path / "apart" / "docs.json").exists()


def _children(monkeypatch) -> list[subprocess.Popen]:
    """The child processes started from now on (the real ones, recorded)."""
    started: list[subprocess.Popen] = []
    popen = subprocess.Popen

    def record(*args, **kwargs):
        started.append(popen(*args, **kwargs))
        return started[-1]

    monkeypatch.setattr(subprocess, "Popen", record)
    return started


def _niceness(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[16])


def test_the_index_child_process_leaves_the_cores_to_its_parent_first(tmp_path, monkeypatch):
    """A build's pages (a serve session's requests) go first; the index takes the cores they leave."""
    children = _children(monkeypatch)
    seen: list[int] = []

    def documents():
        yield DOCS[0]
        deadline = time.monotonic() + 20  # the child lowers its priority as it starts
        while _niceness(children[0].pid) == os.nice(0) and time.monotonic() < deadline:
            time.sleep(0.01)
        seen.append(_niceness(children[0].pid))
        yield from DOCS[1:]

    search.build_index_apart(documents(), tmp_path / "a")
    assert seen == [min(19, os.nice(0) + search.CHILD_NICENESS)]
    assert (tmp_path / "a" / "docs.json").exists()


def test_a_cancelled_index_stops_its_child_process(tmp_path, monkeypatch):
    children = _children(monkeypatch)
    sent: list[search.SearchDoc] = []

    def documents():
        for doc in DOCS:
            sent.append(doc)
            yield doc

    with pytest.raises(search.Cancelled):  # while the documents are sent
        search.build_index_apart(documents(), tmp_path / "a", lambda: len(sent) >= 2)
    assert len(sent) == 2 and children[0].returncode is not None
    assert not (tmp_path / "a" / "docs.json").exists()

    every = threading.Event()

    def all_documents():
        yield from DOCS
        every.set()

    with pytest.raises(search.Cancelled):  # while the child builds the index
        search.build_index_apart(all_documents(), tmp_path / "b", every.is_set)
    assert children[1].returncode is not None and children[1].returncode < 0  # stopped, not finished


class _HeldSession:
    """A serve session's search index whose whole index, once ``started`` is clear, stops at its
    second document until ``release``; ``outcomes`` gets what each whole index came to (its
    figures, or "cancelled"), ``failures`` the documents of each that failed."""

    def __init__(self, tmp_path: Path):
        self.out, self.outcomes, self.failures = tmp_path / "index", [], []
        self.started, self.release = threading.Event(), threading.Event()

    def build(self, documents, folder, cancelled):
        def held():
            for number, doc in enumerate(documents):
                if number == 1 and not self.started.is_set():  # halfway
                    self.started.set()
                    self.release.wait(60)
                yield doc

        try:
            self.outcomes.append(search.build_index_apart(held(), folder, cancelled))
        except search.Cancelled:
            self.outcomes.append("cancelled")
            raise

    def update(self, items: list) -> None:
        docs = liveindex.Docs(repr(items), [(d.url, d.title) for d in items], items)
        liveindex.update(docs, self.out, self.build, lambda: self.failures.append(items))


def _overtaken(tmp_path: Path, first: list | None, monkeypatch) -> tuple[list, list]:
    """A serve session's whole index (after ``first``'s, if given) overtaken halfway by a newer build's.

    Returns what each whole index came to (its figures, or "cancelled") and the failures.
    """
    monkeypatch.setattr(liveindex, "QUIET", 0.0)
    held = _HeldSession(tmp_path)
    liveindex.reset()
    try:
        if first is not None:
            held.started.set()  # not held
            held.update(first)
            liveindex.wait()
            held.started.clear()
            held.outcomes.clear()
        held.update(DOCS[:3])
        assert held.started.wait(60)
        held.update(DOCS[1:])
        held.release.set()
        liveindex.wait()
    finally:
        held.release.set()
        liveindex.reset()
    build_index(DOCS[1:], tmp_path / "clean")
    assert (held.out / "docs.json").read_bytes() == (tmp_path / "clean" / "docs.json").read_bytes()
    return held.outcomes, held.failures


def test_a_serve_session_abandons_a_whole_index_that_a_newer_build_overtakes(tmp_path, monkeypatch):
    """The older build's child is stopped, the session goes on, the newest documents are indexed."""
    outcomes, failures = _overtaken(tmp_path, DOCS[2:], monkeypatch)
    assert outcomes[0] == "cancelled" and len(outcomes) == 2 and failures == []


def test_a_serve_sessions_first_whole_index_is_finished_even_when_overtaken(tmp_path, monkeypatch):
    """Before it, there is no index to put a delta beside: search would wait for the newest build's."""
    outcomes, failures = _overtaken(tmp_path, None, monkeypatch)
    assert "cancelled" not in outcomes and len(outcomes) == 2 and failures == []


@pytest.mark.parametrize("when", ["waiting", "building"])
def test_a_whole_index_behind_a_delta_gives_way_as_soon_as_a_build_starts(tmp_path, monkeypatch, when):
    """A build that starts while the whole index waits for a pause, or is being built, stops it at once
    (not only when that build ends): it would compete with the build for both processors."""
    monkeypatch.setattr(liveindex, "QUIET", 0.5 if when == "waiting" else 0.0)
    held = _HeldSession(tmp_path)
    liveindex.reset()
    try:
        held.started.set()  # the first whole index: not held
        held.update(DOCS[2:])
        liveindex.wait()
        held.started.clear()
        held.outcomes.clear()
        held.update(DOCS[:3])  # a delta now, the whole index behind it
        if when == "building":
            assert held.started.wait(60)
        liveindex.build_started()  # the next build begins (and has not ended yet)
        held.release.set()
        time.sleep(1.0)
        assert held.outcomes == (["cancelled"] if when == "building" else [])  # waiting: never started
        held.started.set()
        held.update(DOCS[1:])  # that build ends: its whole index is built
        liveindex.wait()
    finally:
        held.release.set()
        liveindex.reset()
    assert held.outcomes[-1] != "cancelled" and held.failures == []
    build_index(DOCS[1:], tmp_path / "clean")
    assert (held.out / "docs.json").read_bytes() == (tmp_path / "clean" / "docs.json").read_bytes()


def test_a_delta_gives_the_results_of_an_index_built_again(tmp_path):
    """Edited, added and deleted reports in a delta beside the main index (``mkdocs serve``)."""
    build_index(DOCS, tmp_path / "main")
    edited = make_doc("reports/2022/a/", "2022年述职报告", 2022, "市民政局", "赵六", "改过的文字：菜篮子三会一课")
    added = make_doc("reports/2023/c/", "新报告", 2023, "区教育局", "孙七", "新增的报告，三会一课")
    now = [DOCS[0], edited, added]  # DOCS[2] deleted
    search.write_delta(tmp_path / "main", [edited, added], hidden=[1, 2])
    build_index(now, tmp_path / "again")
    served, again = Index(tmp_path / "main"), Index(tmp_path / "again")
    assert served.delta is not None
    for query in ("三会一课", "菜篮子", "啊", "三", "改过", "孙七", "赵六", "李四", "扩展汉字", "englishwords", "gdp"):
        assert served.by_url(normalize(query)) == again.by_url(normalize(query)), query
    search.write_delta(tmp_path / "main", [], hidden=[])  # back to the main index as it was built
    build_index(DOCS, tmp_path / "first")
    assert (tmp_path / "main" / "docs.json").read_bytes() == (tmp_path / "first" / "docs.json").read_bytes()
    assert not (tmp_path / "main" / search.DELTA_DIR).exists()


def test_shard_counts_grow_with_the_archive():
    assert shard_counts(0) == (2048, 64)
    assert shard_counts(2048 * search.CHARS_PER_SHARD) == (2048, 64)
    assert shard_counts(2048 * search.CHARS_PER_SHARD + 1) == (4096, 128)
    assert shard_counts(10**12) == (search.MAX_BIGRAM_SHARDS, 64 * search.MAX_BIGRAM_SHARDS // 2048)


@pytest.mark.parametrize("chars_per_shard", [search.CHARS_PER_SHARD, 1])
def test_random_substrings_of_a_real_report_are_exact(tmp_path, monkeypatch, chars_per_shard):
    """Exact with the default shards, and with as many shards as a very large archive gets."""
    monkeypatch.setattr(search, "CHARS_PER_SHARD", chars_per_shard)
    text = SEED.read_text(encoding="utf-8")
    paragraphs = [p for p in text.splitlines() if p.strip()]
    docs = [
        make_doc(f"reports/{2000 + i}/x/", f"报告{i}", 2000 + i, "单位", "某某", p) for i, p in enumerate(paragraphs)
    ]
    build_index(docs, tmp_path / "search")
    reader = Index(tmp_path / "search")
    assert (reader.meta["bigramShards"] > 2048) == (chars_per_shard == 1)
    normalised = [normalize(p) for p in paragraphs]
    rng = random.Random(7)
    for _ in range(150):
        source = rng.choice(normalised)
        start = rng.randrange(len(source))
        term = source[start : start + rng.randint(1, 9)]
        expected = {}
        for number, (doc, body) in enumerate(zip(docs, normalised, strict=True)):
            count = sum(_count(f, term) for f in (normalize(doc.title), "单位", "某某", body))
            if count:
                expected[number] = count
        assert reader.search(term) == expected, term
