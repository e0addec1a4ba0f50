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

import html
import json
import re
import shutil
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import numpy as np

from .model import Report

INDEX_DIR = "search/data"
PAGE = "search/index.md"
# The search page's source: the page itself is the template overrides/search.html.
PAGE_SOURCE = "---\ntitle: 搜索\ntemplate: search.html\nhide:\n  - toc\n---\n"
FIELD_SEP = "\x01"  # between title, unit, secretary and body of one report
DOC_SEP = "\x02"  # between reports
BIGRAM_SHARDS = 2048
UNIGRAM_SHARDS = 64
HASH_MULT = 65599
FORMAT = 1

_TAG_RE = re.compile(r"<[^>]*>")
_DROP_BLOCKS_RE = re.compile(r"<(script|style)\b.*?</\1>", re.DOTALL | re.IGNORECASE)
_SPACE_RE = re.compile(r"\s+")


def _lower1(char: str) -> str:
    lowered = char.lower()
    return lowered if len(lowered) == 1 else char


def _lower(text: str) -> str:
    """Lower case, one character for one (so positions in display and normalised text agree)."""
    lowered = text.lower()
    return lowered if len(lowered) == len(text) else "".join(_lower1(c) for c in text)


def _drop_controls(text: str) -> str:
    if text.isprintable() or not any(unicodedata.category(c) == "Cc" for c in text if not c.isspace()):
        return text
    return "".join(c for c in text if c.isspace() or unicodedata.category(c) != "Cc")


def display_text(text: str) -> str:
    """NFKC text with every run of white space as one ASCII space and no control characters."""
    text = unicodedata.normalize("NFKC", text).replace("\ufeff", "")
    return _SPACE_RE.sub(" ", _drop_controls(text)).strip()


def normalize(text: str) -> str:
    """The form that matching compares: NFKC, lower case, no white space, no control characters."""
    return _lower(display_text(text).replace(" ", ""))


def html_to_text(markup: str) -> str:
    """Visible text of a page's content HTML, as display text."""
    markup = _DROP_BLOCKS_RE.sub(" ", markup)
    return display_text(html.unescape(_TAG_RE.sub(" ", markup)))


@dataclass(frozen=True)
class SearchDoc:
    """One searchable report. ``url`` is the page path from the site root without the leading '/'."""

    url: str
    title: str
    year: int
    unit: str
    secretary: str
    body: str  # display text


def document(report: Report, url: str, content_html: str) -> SearchDoc:
    """The searchable form of a report page: its metadata and the visible text of its content."""
    path = unquote(url)
    return SearchDoc(path, report.title, report.year, report.unit, report.secretary, html_to_text(content_html))


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


def _codepoints(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


PARTITIONS = 16  # the bigram sort runs over this many slices of the shards, to bound memory
THREADS = 2


def build_index(docs: list[SearchDoc], out: Path) -> IndexStats:
    """Write the search index for ``docs`` into ``out`` (replacing what was there)."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    normalised = []
    meta = []
    position = 0
    files = 0
    for doc in docs:
        head = FIELD_SEP.join(normalize(part) for part in (doc.title, doc.unit, doc.secretary)) + FIELD_SEP
        body = _lower(doc.body.replace(" ", ""))
        text = head + body + DOC_SEP
        normalised.append(text)
        meta.append([doc.url, doc.title, doc.year, doc.unit, doc.secretary, position, len(head), len(body)])
        position += len(text)
    text = "".join(normalised)
    text_bytes = len(text.encode("utf-8"))
    del normalised
    cps = _codepoints(text)
    del text
    # Dense character ids in code point order, so sorting by id sorts by code point.
    present = np.zeros(0x110000, dtype=bool)
    present[cps] = True
    present[[ord(FIELD_SEP), ord(DOC_SEP)]] = False
    alphabet = np.flatnonzero(present).astype(np.uint32)
    dense = np.zeros(0x110000, dtype=np.uint32)
    dense[alphabet] = np.arange(1, len(alphabet) + 1, dtype=np.uint32)  # 0: separator
    ids = dense[cps].astype(np.uint16 if len(alphabet) < 0xFFFF else np.uint32)
    del cps, dense, present
    files += _bigram_index(ids, alphabet, out / "b")
    files += _unigram_index(ids, alphabet, [m[5] for m in meta] + [len(ids)], out / "u")
    (out / "docs.json").write_text(
        json.dumps(
            {
                "format": FORMAT,
                "bigramShards": BIGRAM_SHARDS,
                "unigramShards": UNIGRAM_SHARDS,
                "hashMult": HASH_MULT,
                "fields": ["url", "title", "year", "unit", "secretary", "start", "bodyStart", "bodyLength"],
                "docs": meta,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        ),
        encoding="utf-8",
    )
    files += 1
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    return IndexStats(len(docs), int(np.count_nonzero(ids)), text_bytes, size, files)


def _bigram_index(ids: np.ndarray, alphabet: np.ndarray, out: Path) -> int:
    """Positions of every bigram, gap-encoded, grouped into shards by a hash of the two code points."""
    if len(ids) < 2:
        return 0
    size = len(alphabet) + 1
    wide = np.uint32 if size < 1 << 16 else np.uint64
    pair = ids[:-1].astype(wide) * wide(size) + ids[1:]
    cp = np.concatenate(([0], alphabet)).astype(np.uint64)
    # shard = (cp1 * HASH_MULT + cp2) % BIGRAM_SHARDS, from two small per-character tables
    left = ((cp * np.uint64(HASH_MULT)) % np.uint64(BIGRAM_SHARDS)).astype(np.uint16)
    right = (cp % np.uint64(BIGRAM_SHARDS)).astype(np.uint16)
    shard = left[ids[:-1]]
    shard += right[ids[1:]]
    shard %= BIGRAM_SHARDS
    shard[(ids[:-1] == 0) | (ids[1:] == 0)] = BIGRAM_SHARDS  # separators: never selected
    step = -(-BIGRAM_SHARDS // PARTITIONS)

    def partition(low: int) -> int:
        high = min(low + step, BIGRAM_SHARDS)
        where = np.flatnonzero((shard >= low) & (shard < high))
        if len(where) == 0:
            return 0
        key, positions = _sorted_groups(shard[where] - low, pair[where], where, size)
        del where
        starts = np.flatnonzero(np.concatenate(([True], key[1:] != key[:-1])))
        counts = np.diff(np.append(starts, len(key)))
        gaps = positions.copy()
        gaps[1:] -= positions[:-1]
        gaps[starts] = positions[starts]
        del positions
        data, lengths = _varint(gaps)
        data_lengths = np.add.reduceat(lengths, starts)
        group_pairs = key[starts] & np.uint64((1 << 40) - 1)
        headers = np.stack(
            [
                cp[(group_pairs // np.uint64(size)).astype(np.int64)],
                cp[(group_pairs % np.uint64(size)).astype(np.int64)],
                counts.astype(np.uint64),
                data_lengths.astype(np.uint64),
            ],
            axis=1,
        )
        shard_of = (key[starts] >> np.uint64(40)).astype(np.int64)
        return _write_shards(out, shard_of, headers, data, data_lengths, high - low, low)

    # NumPy releases the GIL in its sorts and array loops, so two threads use both cores.
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        written = sum(pool.map(partition, range(0, BIGRAM_SHARDS, step)))
    return written


def _sorted_groups(
    shard: np.ndarray, pair: np.ndarray, positions: np.ndarray, size: int
) -> tuple[np.ndarray, np.ndarray]:
    """Order occurrences by (shard, bigram, position); returns (shard << 40 | bigram) keys and positions.

    When all three fit in 64 bits one plain sort does it (much faster than a stable argsort).
    """
    pos_bits = max(1, int(positions[-1]).bit_length())
    pair_bits = max(1, (size * size).bit_length())
    shard_bits = max(1, int(shard.max()).bit_length())
    key = (shard.astype(np.uint64) << np.uint64(40)) | pair.astype(np.uint64)
    if pos_bits + pair_bits + shard_bits <= 64:
        packed = (shard.astype(np.uint64) << np.uint64(pair_bits + pos_bits)) | (
            pair.astype(np.uint64) << np.uint64(pos_bits)
        )
        packed |= positions.astype(np.uint64)
        del key
        packed.sort()
        mask = np.uint64((1 << pos_bits) - 1)
        out_positions = packed & mask
        out_pairs = (packed >> np.uint64(pos_bits)) & np.uint64((1 << pair_bits) - 1)
        out_shards = packed >> np.uint64(pair_bits + pos_bits)
        return (out_shards << np.uint64(40)) | out_pairs, out_positions
    order = np.argsort(key, kind="stable")
    return key[order], positions[order].astype(np.uint64)


def _unigram_index(ids: np.ndarray, alphabet: np.ndarray, bounds: list[int], out: Path) -> int:
    """For every character, the documents it occurs in and how often."""
    size = len(alphabet) + 1
    chars, docs, counts = [], [], []
    batch = max(1, 2_000_000 // size)
    for first in range(0, len(bounds) - 1, batch):
        last = min(first + batch, len(bounds) - 1)
        segment = ids[bounds[first] : bounds[last]].astype(np.int64)
        doc_of = np.repeat(np.arange(last - first), np.diff(bounds[first : last + 1]))
        table = np.bincount(doc_of * size + segment, minlength=(last - first) * size).reshape(-1, size)
        table[:, 0] = 0
        doc_idx, char_idx = np.nonzero(table)
        chars.append(char_idx)
        docs.append(doc_idx + first)
        counts.append(table[doc_idx, char_idx])
    char_ids = np.concatenate(chars)
    order = np.lexsort((np.concatenate(docs), char_ids))
    char_ids = char_ids[order]
    doc_ids = np.concatenate(docs)[order].astype(np.uint64)
    occurrences = np.concatenate(counts)[order].astype(np.uint64)
    cp = np.concatenate(([0], alphabet)).astype(np.uint64)
    shard = (cp[char_ids] % np.uint64(UNIGRAM_SHARDS)).astype(np.int64)
    order = np.argsort(shard, kind="stable")
    char_ids, doc_ids, occurrences, shard = char_ids[order], doc_ids[order], occurrences[order], shard[order]
    starts = np.flatnonzero(np.concatenate(([True], char_ids[1:] != char_ids[:-1])))
    gaps = doc_ids.copy()
    gaps[1:] -= doc_ids[:-1]
    gaps[starts] = doc_ids[starts]
    data, lengths = _varint(np.stack([gaps, occurrences], axis=1).reshape(-1))
    data_lengths = np.add.reduceat(lengths.reshape(-1, 2).sum(axis=1), starts)
    ndocs = np.diff(np.append(starts, len(char_ids)))
    headers = np.stack([cp[char_ids[starts]], ndocs.astype(np.uint64), data_lengths.astype(np.uint64)], axis=1)
    return _write_shards(out, shard[starts], headers, data, data_lengths, UNIGRAM_SHARDS, 0)
