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

from dataclasses import dataclass, field

import numpy as np

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
    cps = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
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
    """Share of the text covered by the shared fingerprints, and the covered spans (merged)."""
    if prints.length == 0 or not shared.any():
        return 0.0, []
    starts = prints.positions[shared].astype(np.int64)
    spans: list[list[int]] = []
    for start in starts:  # sorted; merge shingles of one passage (sampling leaves gaps between them)
        end = int(start) + SHINGLE
        if spans and start <= spans[-1][1] + SHINGLE:
            spans[-1][1] = max(spans[-1][1], end)
        else:
            spans.append([int(start), end])
    covered = sum(b - a for a, b in spans)
    return min(1.0, covered / prints.length), [(a, b) for a, b in spans]


def compare(texts: list[str], previous_of: list[int | None]) -> list[Reuse]:
    """Reuse figures for every text; ``previous_of[i]`` is the index of the same unit's previous report."""
    prints = [fingerprints(t) for t in texts]
    sizes = [len(p.hashes) for p in prints]
    owners = np.repeat(np.arange(len(prints)), sizes)
    every = np.concatenate([p.hashes for p in prints]) if prints else np.empty(0, np.uint64)
    # A fingerprint is shared when it occurs in more than one report (not just twice in one).
    pairs = np.unique(np.stack([every, owners.astype(np.uint64)], axis=1), axis=0) if len(every) else every
    if len(every):
        values, counts = np.unique(pairs[:, 0], return_counts=True)
        multi = values[counts > 1]
    else:
        multi = np.empty(0, np.uint64)
    results = []
    for index, own in enumerate(prints):
        reuse = Reuse()
        reuse.anywhere, reuse.anywhere_spans = _coverage(own, np.isin(own.hashes, multi))
        before = previous_of[index]
        if before is not None:
            shared = np.isin(own.hashes, prints[before].hashes)
            reuse.previous, reuse.previous_spans = _coverage(own, shared)
        results.append(reuse)
    return results
