"""Exact full-text search: normalisation, text extraction and the static sharded bigram index.

Matching is exact substring on normalised text (NFKC, lower case, white space and control
characters dropped). The index maps every pair of adjacent characters (bigram) to the sorted
global positions where it occurs; a query of length L is checked at every one of its
characters by intersecting the positions of bigrams that cover it, so results are exact,
not candidates. One-character queries use a per-character (document, count) index.

Files written under ``search/data/`` of the built site, all fetched by ``assets/search/search.js``:

- ``docs.json``: metadata of every report and the layout constants;
- ``b/<n>.bin``: bigram shards, ``u/<n>.bin``: unigram shards (LEB128 varints, see below);

Snippets are cut in the browser from the report pages themselves, fetched only for the results shown.

A shard is ``count`` then ``count`` headers, then the data blocks in header order. A bigram
header is (first code point, second code point, positions, data bytes); its data is the first
global position then the gaps. A unigram header is (code point, documents, data bytes); its
data is (document gap, occurrences) pairs.
"""

from __future__ import annotations

import contextlib
import html
import json
import os
import pickle
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import unquote

import numpy as np

from .cache import Cache, code_version, digest
from .model import Report

INDEX_DIR = "search/data"
PAGE = "search/index.md"
# The search page's source: the page itself is the template overrides/search.html.
PAGE_SOURCE = "---\ntitle: 搜索\ntemplate: search.html\nhide:\n  - toc\n---\n"
FIELD_SEP = "\x01"  # between title, unit, secretary and body of one report
DOC_SEP = "\x02"  # between reports
BIGRAM_SHARDS = 2048  # the fewest shards; a larger archive gets more (see ``shard_counts``)
UNIGRAM_SHARDS = 64
CHARS_PER_SHARD = 24_000  # about 60 KB of index per bigram shard
MAX_BIGRAM_SHARDS = 32_768  # shard numbers are summed in 16 bits
HASH_MULT = 65599
FORMAT = 1

_TAG_RE = re.compile(r"<[^<>]*>")
_BLOCK_START_RE = re.compile(r"<(script|style)\b", re.IGNORECASE)
# Control characters (category Cc) that are not white space; white space is folded separately.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\ufeff]")


def _lower1(char: str) -> str:
    lowered = char.lower()
    return lowered if len(lowered) == 1 else char


def _lower(text: str) -> str:
    """Lower case, one character for one (so positions in display and normalised text agree)."""
    lowered = text.lower()
    return lowered if len(lowered) == len(text) else "".join(_lower1(c) for c in text)


def nfkc(text: str) -> str:
    """NFKC, fast for Chinese text.

    The compatibility characters common in Chinese text (full-width ASCII, the ideographic and
    no-break spaces, the ellipsis) are mapped with array operations; the rest, if any are left,
    by unicodedata, which is several times slower per character.
    """
    text = text.replace("\u2026", "...")
    cps = codepoints(text).copy()
    cps[(cps >= 0xFF01) & (cps <= 0xFF5E)] -= 0xFEE0
    cps[(cps == 0x3000) | (cps == 0xA0)] = 0x20
    text = cps.tobytes().decode("utf-32-le")
    if unicodedata.is_normalized("NFKC", text):
        return text
    # Line by line: a line feed is a starter nothing composes with, so lines normalise apart, and
    # the few with a character left (such as the Roman numeral Ⅱ) are the only ones worked.
    lines = text.split("\n")
    return "\n".join(
        line if unicodedata.is_normalized("NFKC", line) else unicodedata.normalize("NFKC", line) for line in lines
    )


def _words(text: str) -> list[str]:
    r"""NFKC text without control characters, split at white space (``str.split`` splits at exactly
    the characters ``\s`` matches in a str pattern: those of ``str.isspace``)."""
    return _CONTROL_RE.sub("", nfkc(text)).split()


def display_text(text: str) -> str:
    """NFKC text with every run of white space as one ASCII space and no control characters."""
    return " ".join(_words(text))


def normalize(text: str) -> str:
    """The form that matching compares: NFKC, lower case, no white space, no control characters."""
    return _lower("".join(_words(text)))


def _drop_blocks(markup: str) -> str:
    """``markup`` without script and style elements (an unclosed one runs to the end), in linear time."""
    kept, position = [], 0
    lowered = markup.lower()
    while match := _BLOCK_START_RE.search(markup, position):
        kept.append(markup[position : match.start()])
        end = lowered.find(f"</{match.group(1).lower()}>", match.end())
        position = len(markup) if end < 0 else end + len(match.group(1)) + 3
    kept.append(markup[position:])
    return " ".join(kept)


def _visible_text(markup: str) -> str:
    return html.unescape(_TAG_RE.sub(" ", _drop_blocks(markup)))


def html_to_text(markup: str) -> str:
    """Visible text of a page's content HTML, as display text."""
    return display_text(_visible_text(markup))


@dataclass(frozen=True)
class SearchDoc:
    """One searchable report. ``url`` is the page path from the site root without the leading '/'.

    ``text`` is what is matched: normalised title, unit, secretary and body, each followed by
    FIELD_SEP, so that no match runs from one field into the next.
    """

    url: str
    title: str
    year: int
    unit: str
    secretary: str
    text: str
    body_start: int


@dataclass(frozen=True)
class StoredDoc:
    """A search document whose normalised body is an entry of the build cache, read where it is
    indexed (the index's child process), so the process that sends it never holds the text."""

    url: str
    title: str
    year: int
    unit: str
    secretary: str
    folder: str  # the cache folder
    key: str  # the body's entry


def make_doc(url: str, title: str, year: int, unit: str, secretary: str, body: str) -> SearchDoc:
    return doc_from_body(url, title, year, unit, secretary, normalize(body))


def doc_from_body(url: str, title: str, year: int, unit: str, secretary: str, normalized_body: str) -> SearchDoc:
    """A search document from its fields and its already normalised body."""
    head = _head(title, unit, secretary)
    return SearchDoc(url, title, year, unit, secretary, head + normalized_body, len(head))


def _head(title: str, unit: str, secretary: str) -> str:
    """What a document's text starts with before its body: its title, unit and person, normalised."""
    return "".join(normalize(part) + FIELD_SEP for part in (title, unit, secretary))


def body_text(content_html: str) -> str:
    """What search matches in a report page's content: its visible text, normalised."""
    return normalize(_visible_text(content_html))


def body_key(content_html: str) -> str:
    """The cache key of :func:`body_text` for a page's content."""
    return digest("search-text", code_version(), content_html)


def document_fields(report: Report, url: str) -> tuple[str, str, int, str, str, int]:
    """The searchable form of a report page without its text (its :func:`body_text`): URL, title,
    year, unit, person and where the body starts in the document's text (``SearchDoc.body_start``)."""
    head = _head(report.title, report.unit, report.secretary)
    return unquote(url), report.title, report.year, report.unit, report.secretary, len(head)


@dataclass(frozen=True)
class IndexStats:
    documents: int
    characters: int  # normalised characters indexed
    text_bytes: int  # UTF-8 bytes of the text indexed
    index_bytes: int  # everything written under search/
    files: int


def _varint(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """LEB128-encode non-negative integers; returns the bytes and each value's byte length."""
    values = values.astype(np.uint64, copy=False)
    width = max(1, (int(values.max()).bit_length() + 6) // 7) if len(values) else 1
    groups = np.empty((len(values), width), dtype=np.uint8)
    for byte in range(width):
        groups[:, byte] = (values >> np.uint64(7 * byte)) & np.uint64(0x7F)
    lengths = np.ones(len(values), dtype=np.int64)
    for byte in range(1, width):
        lengths += values >= np.uint64(1 << (7 * byte))
    used = np.arange(width) < lengths[:, None]
    groups[:, :-1] |= (used[:, 1:] * np.uint8(0x80)).astype(np.uint8)
    return groups[used], lengths


def _write_shards(
    out: Path,
    shard_of: np.ndarray,
    headers: np.ndarray,
    data: np.ndarray,
    data_lengths: np.ndarray,
    count: int,
    first_name: int,
) -> int:
    """Write groups (in shard order, shards numbered from 0) as files named from ``first_name``."""
    header_bytes, header_lengths = _varint(headers.reshape(-1))
    per_group_header = header_lengths.reshape(len(shard_of), -1).sum(axis=1)
    header_ends = np.cumsum(per_group_header)
    data_ends = np.cumsum(data_lengths)
    out.mkdir(parents=True, exist_ok=True)
    bounds = np.searchsorted(shard_of, np.arange(count + 1))
    written = 0
    for shard in range(count):
        first, last = int(bounds[shard]), int(bounds[shard + 1])
        if first == last:
            continue
        h0 = int(header_ends[first - 1]) if first else 0
        d0 = int(data_ends[first - 1]) if first else 0
        groups, _ = _varint(np.array([last - first]))
        blob = groups.tobytes() + header_bytes[h0 : int(header_ends[last - 1])].tobytes()
        blob += data[d0 : int(data_ends[last - 1])].tobytes()
        (out / f"{first_name + shard}.bin").write_bytes(blob)
        written += 1
    return written


def codepoints(text: str) -> np.ndarray:
    """The text's code points as a read-only uint32 array."""
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


CHILD_NICENESS = 10  # see ``_child``
PARTITIONS = 64  # the bigram sort runs over this many slices of the shards, to bound memory
THREADS = 2


def build_index(
    docs: list[SearchDoc], out: Path, shards: tuple[int, int] | None = None, *, release: bool = False
) -> IndexStats:
    """Write the search index for ``docs`` into ``out`` (replacing what was there).

    ``shards``: bigram and one-character shard counts (default: from the size, see ``shard_counts``).
    ``release``: replace each document in ``docs`` by one without its text once the text is in the
    index's arrays, so that the texts' memory is free before the postings are sorted (the index's
    child process, whose list it is, asks for it).
    """
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    starts = [0]
    for doc in docs:
        starts.append(starts[-1] + len(doc.text) + 1)  # + DOC_SEP
    # Dense character ids in code point order (0 stands for a separator), filled in report by report
    # so that the whole text never sits in memory as 32-bit code points.
    present = np.zeros(0x110000, dtype=bool)
    for doc in docs:
        present[codepoints(doc.text)] = True
    present[[ord(FIELD_SEP), ord(DOC_SEP)]] = False
    alphabet = np.flatnonzero(present).astype(np.uint32)
    dense = np.zeros(0x110000, dtype=np.uint32)
    dense[alphabet] = np.arange(1, len(alphabet) + 1, dtype=np.uint32)
    ids = np.zeros(starts[-1], dtype=np.uint16 if len(alphabet) < 0xFFFF else np.uint32)
    text_bytes = sum(len(doc.text.encode("utf-8")) for doc in docs)
    for number, (doc, start) in enumerate(zip(docs, starts, strict=False)):
        ids[start : start + len(doc.text)] = dense[codepoints(doc.text)]
        if release:
            docs[number] = replace(doc, text="")
    del dense, present
    bigram_shards, unigram_shards = shards or shard_counts(starts[-1])
    files = _bigram_index(ids, alphabet, out / "b", bigram_shards)
    files += _unigram_index(ids, alphabet, starts, out / "u", unigram_shards)
    meta = [
        [doc.url, doc.title, doc.year, doc.unit, doc.secretary, start, doc.body_start, end - 1 - start - doc.body_start]
        for doc, start, end in zip(docs, starts[:-1], starts[1:], strict=True)
    ]
    _write_json(
        out / "docs.json",
        {
            "format": FORMAT,
            "bigramShards": bigram_shards,
            "unigramShards": unigram_shards,
            "hashMult": HASH_MULT,
            "fields": ["url", "title", "year", "unit", "secretary", "start", "bodyStart", "bodyLength"],
            "docs": meta,
        },
    )
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    return IndexStats(len(docs), int(np.count_nonzero(ids)), text_bytes, size, files + 1)


class Cancelled(Exception):
    """The index being built is no longer wanted (``build_index_apart``'s ``cancelled`` said so)."""


def build_index_apart(
    docs: Iterable[SearchDoc | StoredDoc], out: Path, cancelled: Callable[[], bool] | None = None
) -> IndexStats:
    """``build_index`` in a child process.

    A long-lived process (``mkdocs serve``) then keeps its interpreter for its own work (serving
    pages, the next rebuild) while the index is written on the other core; a full build keeps the
    index's working memory out of its own peak. The documents are sent one at a time as ``docs``
    yields them, their texts as UTF-8 bytes (pickling a string would leave a UTF-8 copy attached
    to it for good), or, for a :class:`StoredDoc`, the cache entry the child reads the text from.

    ``cancelled()`` is asked before each document and a few times a second while the child works;
    once it is true the child is stopped and :class:`Cancelled` raised (``out`` is then incomplete).
    """
    parent = str(Path(__file__).resolve().parents[1])
    env = os.environ | {"PYTHONPATH": os.pathsep.join(p for p in (parent, os.environ.get("PYTHONPATH")) if p)}
    with tempfile.TemporaryFile() as errors:
        child = subprocess.Popen(
            [sys.executable, "-c", _CHILD], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors, env=env
        )
        assert child.stdin is not None and child.stdout is not None
        try:
            try:
                with child.stdin:
                    pickler = pickle.Pickler(child.stdin, protocol=pickle.HIGHEST_PROTOCOL)
                    pickler.dump(str(out))
                    for d in docs:
                        if cancelled is not None and cancelled():
                            raise Cancelled
                        fields = (d.url, d.title, d.year, d.unit, d.secretary)
                        if isinstance(d, StoredDoc):
                            pickler.dump(("stored", *fields, d.folder, d.key))
                        else:
                            pickler.dump(("text", *fields, d.text.encode(), d.body_start))
                        pickler.clear_memo()
                    pickler.dump(None)
            except BrokenPipeError:  # the child failed; its errors say why
                pass
            while cancelled is not None:  # the figures it sends are small: they wait in the pipe
                if cancelled():
                    raise Cancelled
                try:
                    child.wait(timeout=0.2)
                    break
                except subprocess.TimeoutExpired:
                    pass
            with child.stdout:
                result = child.stdout.read()
        except BaseException:  # ``docs`` failed or the index is cancelled: the child must not outlive it
            child.kill()
            child.wait()
            raise
        if child.wait() != 0:
            errors.seek(0)
            raise RuntimeError(f"搜索索引构建失败：{errors.read().decode('utf-8', 'replace')[-2000:]}")
    return pickle.loads(result)


# Run by ``build_index_apart`` in a child process: the documents come in on stdin, the figures go out.
_CHILD = "from report_archive.search import _child; _child()"


def _child() -> None:
    # The parent goes on meanwhile with what it is waited for (a build's pages, a serve session's
    # requests): the index takes the core it leaves, and both cores once it is done.
    with contextlib.suppress(OSError):
        os.nice(CHILD_NICENESS)
    source = sys.stdin.buffer
    out = pickle.load(source)
    docs = [_received(row) for row in iter(lambda: pickle.load(source), None)]
    pickle.dump(build_index(docs, Path(out), release=True), sys.stdout.buffer)


def missing_text(name: str) -> RuntimeError:
    """The error for a search text that should be in the build cache and is not (or does not check out)."""
    return RuntimeError(f"{name} 的检索文本不在缓存中。请删除 .cache/archive 后重新构建。")


def _received(row: tuple) -> SearchDoc:
    """A document as ``build_index_apart`` sends it: with its text, or with its body's cache entry."""
    if row[0] == "stored":
        body = Cache(Path(row[6])).get(row[7])
        if not isinstance(body, str):
            raise missing_text(row[1])
        return doc_from_body(*row[1:6], body)
    return SearchDoc(*row[1:6], row[6].decode("utf-8"), row[7])


DELTA_DIR = "delta"
DELTA_SHARDS = (64, 8)  # a delta holds a few reports: few files, written in milliseconds


def write_delta(out: Path, docs: Sequence[SearchDoc], hidden: list[int]) -> None:
    """Change the index in ``out`` without building it again (``mkdocs serve``).

    ``docs`` are indexed on their own under ``out/delta/``; ``hidden`` are the numbers of the main
    index's documents that they replace or that are gone. ``docs.json`` keeps the main index's
    fields and gains ``delta`` (the second index's own ``docs.json``, with its ``path``) and
    ``hidden``; ``search.js`` searches both. No delta and nothing hidden: the main index as built.
    """
    meta = json.loads((out / "docs.json").read_text(encoding="utf-8"))
    meta.pop("delta", None)
    meta.pop("hidden", None)
    fresh = out / (DELTA_DIR + ".new")
    shutil.rmtree(fresh, ignore_errors=True)
    if docs:
        build_index(list(docs), fresh, DELTA_SHARDS)
        meta["delta"] = json.loads((fresh / "docs.json").read_text(encoding="utf-8")) | {"path": DELTA_DIR + "/"}
        (fresh / "docs.json").unlink()
    if hidden:
        meta["hidden"] = hidden
    if docs:
        replace_index(fresh, out / DELTA_DIR)
    _write_json(out / "docs.json", meta)
    if not docs:
        shutil.rmtree(out / DELTA_DIR, ignore_errors=True)


def replace_index(fresh: Path, out: Path) -> None:
    """Put the index written in ``fresh`` in place of ``out`` (a reader never sees half of one)."""
    old = out.with_name(out.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if out.exists():
        out.rename(old)
    fresh.rename(out)
    shutil.rmtree(old, ignore_errors=True)


def _write_json(path: Path, value: object) -> None:
    """``value`` as compact JSON at ``path``, replacing the file in one step."""
    part = path.with_name(path.name + ".new")
    part.write_text(json.dumps(value, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    os.replace(part, path)


def shard_counts(characters: int) -> tuple[int, int]:
    """How many bigram and one-character shards an index of ``characters`` of text gets.

    A query fetches whole shards, so the shards keep about the same size as the archive grows
    (the count doubles with it); the bytes a query fetches then grow only with its own hits.
    """
    scale = 1
    while BIGRAM_SHARDS * scale * CHARS_PER_SHARD < characters and BIGRAM_SHARDS * scale < MAX_BIGRAM_SHARDS:
        scale *= 2
    return BIGRAM_SHARDS * scale, UNIGRAM_SHARDS * scale


def _bigram_index(ids: np.ndarray, alphabet: np.ndarray, out: Path, shards: int) -> int:
    """Positions of every bigram, gap-encoded, grouped into shards by a hash of the two code points."""
    if len(ids) < 2:
        return 0
    size = len(alphabet) + 1
    cp = np.concatenate(([0], alphabet)).astype(np.uint64)
    # shard = (cp1 * HASH_MULT + cp2) % shards, from two small per-character tables
    left = ((cp * np.uint64(HASH_MULT)) % np.uint64(shards)).astype(np.uint16)
    right = (cp % np.uint64(shards)).astype(np.uint16)
    step = -(-shards // PARTITIONS)  # shards per partition
    # Which partition each position's bigram falls in (255: touches a separator), in slices.
    part = np.empty(len(ids) - 1, dtype=np.uint8)
    for begin in range(0, len(part), 1 << 23):
        a, b = ids[begin : begin + (1 << 23)], ids[begin + 1 : begin + 1 + (1 << 23)]
        a = a[: len(b)]
        shard = left[a] + right[b]
        shard %= shards
        slot = (shard // step).astype(np.uint8)
        slot[(a == 0) | (b == 0)] = 255
        part[begin : begin + len(b)] = slot

    def partition(number: int) -> int:
        low = number * step
        high = min(low + step, shards)
        where = np.flatnonzero(part == number)
        if len(where) == 0:
            return 0
        a, b = ids[where], ids[where + 1]
        shard = left[a] + right[b]
        shard %= shards
        shard -= low
        pair = a.astype(np.uint64)
        pair *= np.uint64(size)
        pair += b
        del a, b
        groups, positions = _sorted_groups(shard, pair, where, size)
        del shard, pair, where
        starts = np.flatnonzero(np.concatenate(([True], groups[1:] != groups[:-1])))
        counts = np.diff(np.append(starts, len(groups)))
        group_keys = groups[starts]
        del groups
        gaps = positions.copy()
        gaps[1:] -= positions[:-1]
        gaps[starts] = positions[starts]
        del positions
        data, lengths = _varint(gaps)
        del gaps
        data_lengths = np.add.reduceat(lengths, starts)
        pairs = group_keys % np.uint64(size * size)
        headers = np.stack(
            [
                cp[(pairs // np.uint64(size)).astype(np.int64)],
                cp[(pairs % np.uint64(size)).astype(np.int64)],
                counts.astype(np.uint64),
                data_lengths.astype(np.uint64),
            ],
            axis=1,
        )
        shard_of = (group_keys // np.uint64(size * size)).astype(np.int64)
        return _write_shards(out, shard_of, headers, data, data_lengths, high - low, low)

    # NumPy releases the GIL in its sorts and array loops, so two threads use both cores.
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return sum(pool.map(partition, range(PARTITIONS)))


def _sorted_groups(
    shard: np.ndarray, pair: np.ndarray, positions: np.ndarray, size: int
) -> tuple[np.ndarray, np.ndarray]:
    """Order occurrences by (shard, bigram, position).

    Returns each occurrence's group key (shard * size**2 + bigram) and its position. When all three
    fit in 64 bits one in-place sort of packed values does it (much faster than a stable argsort).
    """
    pos_bits = max(1, int(positions[-1]).bit_length())
    group = shard.astype(np.uint64)
    group *= np.uint64(size * size)
    group += pair
    group_bits = max(1, int(group.max()).bit_length())
    if group_bits + pos_bits <= 64:
        group <<= np.uint64(pos_bits)
        group |= positions.astype(np.uint64)
        group.sort()
        out_positions = (group & np.uint64((1 << pos_bits) - 1)).astype(np.uint32)
        group >>= np.uint64(pos_bits)
        return group, out_positions
    order = np.argsort(group, kind="stable")
    return group[order], positions[order].astype(np.uint64)


def _unigram_index(ids: np.ndarray, alphabet: np.ndarray, bounds: list[int], out: Path, shards: int) -> int:
    """For every character, the documents it occurs in and how often."""
    size = len(alphabet) + 1
    table = np.zeros((size, len(bounds) - 1), dtype=np.uint32)  # character x document
    for doc in range(len(bounds) - 1):
        table[:, doc] = np.bincount(ids[bounds[doc] : bounds[doc + 1]], minlength=size)
    table[0] = 0  # separators
    cp = np.concatenate(([0], alphabet)).astype(np.uint64)
    written = 0
    out.mkdir(parents=True, exist_ok=True)
    for shard in range(shards):
        chars = np.flatnonzero((cp % np.uint64(shards) == shard) & (cp > 0))
        rows, docs = np.nonzero(table[chars])  # by character, then document
        if len(rows) == 0:
            continue
        occurrences = table[chars[rows], docs].astype(np.uint64)
        starts = np.flatnonzero(np.concatenate(([True], rows[1:] != rows[:-1])))
        gaps = docs.astype(np.uint64)
        gaps[1:] -= docs[:-1].astype(np.uint64)
        gaps[starts] = docs[starts]
        data, lengths = _varint(np.stack([gaps, occurrences], axis=1).reshape(-1))
        data_lengths = np.add.reduceat(lengths.reshape(-1, 2).sum(axis=1), starts)
        ndocs = np.diff(np.append(starts, len(rows)))
        headers = np.stack([cp[chars[rows[starts]]], ndocs.astype(np.uint64), data_lengths.astype(np.uint64)], axis=1)
        written += _write_shards(out, np.zeros(len(starts), dtype=np.int64), headers, data, data_lengths, 1, shard)
    return written
