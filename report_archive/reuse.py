"""Text reused from other reports: sampled character shingles.

Method (stated in the editing guide): each report's normalised text (as search sees it) is cut
into overlapping shingles of ``SHINGLE`` characters; a shingle is kept as a fingerprint when its
hash is 0 modulo ``SAMPLE`` (hash-based sampling, as in Broder's and Manber's work), so the same
shingle is kept in every report that has it. A report's repeated share is the part of its text
covered by fingerprints that also occur in the other text(s): the same unit's previous report,
or any other report in the archive. Sampling makes this an estimate (a fingerprint stands for
about ``SAMPLE`` shingles); passages shorter than about ``SHINGLE + SAMPLE`` characters can be
missed, which suits a question about copied paragraphs, not shared phrases.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from .archive import Archive
from .cache import Cache, code_version, digest
from .search import codepoints, normalize

SHINGLE = 12
SAMPLE = 4
_BASE = np.uint64(1_000_003)


@dataclass
class Fingerprints:
    hashes: np.ndarray  # uint64, sampled shingle hashes
    positions: np.ndarray  # uint32, where each sampled shingle starts
    length: int  # characters of text


@dataclass
class Reuse:
    """Repeated shares of one report and the spans (start, end) in its normalised text."""

    previous: float = 0.0  # share repeated from the same unit's previous report
    anywhere: float = 0.0  # share repeated from any other report
    previous_spans: list[tuple[int, int]] = field(default_factory=list)
    anywhere_spans: list[tuple[int, int]] = field(default_factory=list)


def fingerprints(text: str) -> Fingerprints:
    """Sampled shingle hashes of normalised ``text``."""
    cps = codepoints(text).astype(np.uint64)
    count = len(cps) - SHINGLE + 1
    if count <= 0:
        return Fingerprints(np.empty(0, np.uint64), np.empty(0, np.uint32), len(cps))
    hashes = np.zeros(count, dtype=np.uint64)
    for offset in range(SHINGLE):  # polynomial hash modulo 2**64 (unsigned overflow wraps)
        hashes *= _BASE
        hashes += cps[offset : offset + count]
    mixed = hashes * np.uint64(0x9E3779B97F4A7C15)  # spread the low bits before sampling
    keep = (mixed >> np.uint64(40)) % np.uint64(SAMPLE) == 0
    return Fingerprints(hashes[keep], np.flatnonzero(keep).astype(np.uint32), len(cps))


def _coverage(prints: Fingerprints, shared: np.ndarray) -> tuple[float, list[tuple[int, int]]]:
    """Share of the text covered by the shared fingerprints, and the covered spans.

    Shingles of one passage are merged into one span; sampling leaves gaps between them, so two
    shingles less than ``2 * SHINGLE`` apart count as one passage.
    """
    if prints.length == 0 or not shared.any():
        return 0.0, []
    starts = prints.positions[shared].astype(np.int64)  # ascending
    breaks = np.flatnonzero(np.diff(starts) > 2 * SHINGLE) + 1
    firsts = starts[np.concatenate(([0], breaks))]
    lasts = starts[np.concatenate((breaks - 1, [len(starts) - 1]))] + SHINGLE
    spans = [(int(a), int(b)) for a, b in zip(firsts, lasts, strict=True)]
    covered = int((lasts - firsts).sum())
    return min(1.0, covered / prints.length), spans


def compare(texts: list[str], previous_of: list[int | None]) -> list[Reuse]:
    """Reuse figures for every text; ``previous_of[i]`` is the index of the same unit's previous report."""
    return compare_prints([fingerprints(t) for t in texts], previous_of)


def compare_prints(prints: list[Fingerprints], previous_of: list[int | None]) -> list[Reuse]:
    """``compare`` for texts already fingerprinted."""
    sizes = [len(p.hashes) for p in prints]
    every = np.concatenate([p.hashes for p in prints]) if prints else np.empty(0, np.uint64)
    owners = np.repeat(np.arange(len(prints), dtype=np.int32), sizes)
    # A fingerprint is shared when reports other than its own have it too (not just twice in one):
    # group equal hashes and compare the smallest and the largest owner of each group.
    shared = np.zeros(len(every), dtype=bool)
    if len(every):
        order = np.argsort(every, kind="stable")
        ordered = every[order]
        starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
        by_owner = owners[order]
        mixed = np.minimum.reduceat(by_owner, starts) != np.maximum.reduceat(by_owner, starts)
        shared[order] = np.repeat(mixed, np.diff(np.append(starts, len(every))))
        del order, ordered, by_owner
    shared_anywhere = np.split(shared, np.cumsum(sizes)[:-1]) if prints else []
    results = []
    for index, own in enumerate(prints):
        reuse = Reuse()
        reuse.anywhere, reuse.anywhere_spans = _coverage(own, shared_anywhere[index])
        before = previous_of[index]
        if before is not None and len(prints[before].hashes):
            other = np.sort(prints[before].hashes)
            found = np.minimum(np.searchsorted(other, own.hashes), len(other) - 1)
            reuse.previous, reuse.previous_spans = _coverage(own, other[found] == own.hashes)
        results.append(reuse)
    return results


_LINK_TARGET_RE = re.compile(r"\]\([^()\[\]]*\)|\[\^[^\[\]]*\]|<[^<>]+>")
_MARKUP_RE = re.compile(r"[#*_`>|\[\]!~]")


def plain_text(markdown_body: str) -> str:
    """The words of a Markdown body: link targets, footnote marks, tags and markup characters removed."""
    return _MARKUP_RE.sub("", _LINK_TARGET_RE.sub(" ", markdown_body))


def report_prints(body: str) -> Fingerprints:
    """The fingerprints of a report's Markdown body."""
    return fingerprints(normalize(plain_text(body)))


def attach(archive: Archive, cache: Cache | None = None) -> None:
    """Compute every report's reuse figures and keep them on the archive (``archive.reuse``)."""
    reports = archive.reports
    index = {r.path: i for i, r in enumerate(reports)}
    previous_of = []
    for report in reports:
        previous, _ = archive.neighbours(report)
        previous_of.append(index[previous.path] if previous is not None else None)
    cache = cache or Cache(None)
    keys = [digest("fingerprints", code_version(), r.body) for r in reports]
    prints = [cache.compute("fingerprints", r.body, lambda r=r: report_prints(r.body)) for r in reports]
    # The figures depend on every report's text and on who follows whom: unchanged, they are reused.
    figures = cache.compute("reuse", repr(previous_of), lambda: compare_prints(prints, previous_of), *keys)
    archive.reuse = {r.path: f for r, f in zip(reports, figures, strict=True)}
