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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np

from . import forked
from .archive import Archive
from .cache import Cache, code_version, keeping, small_key
from .search import codepoints, normalize

SHINGLE = 12
SAMPLE = 4
_BASE = np.uint64(1_000_003)
T = TypeVar("T")


@dataclass
class Fingerprints:
    hashes: np.ndarray  # uint64, sampled shingle hashes
    positions: np.ndarray  # uint32, where each sampled shingle starts
    length: int  # characters of text


_NO_SPANS = np.empty((0, 2), np.int32)
_NO_SPANS.flags.writeable = False


@dataclass(eq=False)
class Reuse:
    """Repeated shares of one report and the spans in its normalised text: one row (start, end) per
    passage, as one array (thousands of reports' spans as tuples would be a million small objects)."""

    previous: float = 0.0  # share repeated from the same unit's previous report
    anywhere: float = 0.0  # share repeated from any other report
    previous_spans: np.ndarray = field(default_factory=lambda: _NO_SPANS)
    anywhere_spans: np.ndarray = field(default_factory=lambda: _NO_SPANS)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Reuse):
            return NotImplemented
        return (
            (self.previous, self.anywhere) == (other.previous, other.anywhere)
            and np.array_equal(self.previous_spans, other.previous_spans)
            and np.array_equal(self.anywhere_spans, other.anywhere_spans)
        )


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


def _coverage(prints: Fingerprints, shared: np.ndarray) -> tuple[float, np.ndarray]:
    """Share of the text covered by the shared fingerprints, and the covered spans.

    Shingles of one passage are merged into one span; sampling leaves gaps between them, so two
    shingles less than ``2 * SHINGLE`` apart count as one passage.
    """
    if prints.length == 0 or not shared.any():
        return 0.0, _NO_SPANS
    starts = prints.positions[shared].astype(np.int64)  # ascending
    breaks = np.flatnonzero(np.diff(starts) > 2 * SHINGLE) + 1
    firsts = starts[np.concatenate(([0], breaks))]
    lasts = starts[np.concatenate((breaks - 1, [len(starts) - 1]))] + SHINGLE
    spans = np.stack([firsts, lasts], axis=1).astype(np.int32)
    covered = int((lasts - firsts).sum())
    return min(1.0, covered / prints.length), spans


def compare(texts: list[str], previous_of: list[int | None]) -> list[Reuse]:
    """Reuse figures for every text; ``previous_of[i]`` is the index of the same unit's previous report."""
    return compare_prints([fingerprints(t) for t in texts], previous_of)


def compare_prints(prints: list[Fingerprints], previous_of: list[int | None]) -> list[Reuse]:
    """``compare`` for texts already fingerprinted."""
    results = anywhere(prints)
    for index, before in enumerate(previous_of):
        if before is not None:
            results[index].previous, results[index].previous_spans = from_previous(prints[index], prints[before])
    return results


def anywhere(prints: list[Fingerprints]) -> list[Reuse]:
    """Every text's share repeated from any other text (``previous`` left at zero)."""
    # A fingerprint is shared when reports other than its own have it too (not just twice in one):
    # with each report's fingerprints made unique, a value found twice in all of them together is in
    # two reports. One sort in place of their concatenation: no index arrays beside it.
    every = np.concatenate([np.unique(p.hashes) for p in prints] or [np.empty(0, np.uint64)])
    every.sort()
    repeated = every[1:][every[1:] == every[:-1]]  # (sorted: a value in k reports is here k - 1 times)
    del every
    shared = repeated[np.concatenate(([True], repeated[1:] != repeated[:-1]))] if len(repeated) else repeated
    return _anywhere_from(prints, shared)


def _anywhere_from(prints: Iterable[Fingerprints], shared: np.ndarray) -> list[Reuse]:
    """``anywhere``, given the fingerprints found in more than one report (sorted)."""
    results = []
    for own in prints:
        # Searched in ascending order, each search starts near where the last one ended (over twice
        # as fast as in text order on a large archive).
        order = np.argsort(own.hashes)
        found = np.empty(len(order), dtype=bool)
        found[order] = _isin_sorted(own.hashes[order], shared)
        reuse = Reuse()
        reuse.anywhere, reuse.anywhere_spans = _coverage(own, found)
        results.append(reuse)
    return results


def _locate(values: np.ndarray, sorted_set: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each of ``values`` is or would be in ``sorted_set`` (sorted), and whether it is there."""
    if not len(sorted_set):
        return np.zeros(len(values), np.intp), np.zeros(len(values), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_set, values), len(sorted_set) - 1)
    return at, sorted_set[at] == values


def _isin_sorted(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """Whether each of ``values`` is in ``sorted_set`` (sorted)."""
    return _locate(values, sorted_set)[1]


def from_previous(own: Fingerprints, before: Fingerprints) -> tuple[float, np.ndarray]:
    """The share of ``own`` repeated from ``before`` (the same unit's previous report), and its spans."""
    if not len(before.hashes):
        return 0.0, _NO_SPANS
    return _coverage(own, _isin_sorted(own.hashes, np.sort(before.hashes)))


class SharedIndex:
    """How many reports have each fingerprint, kept up to date report by report.

    ``anywhere`` over the whole archive sorts every fingerprint; a serve session keeps this index
    instead, so that after an edit only the edited report and the reports whose shared passages it
    changed are worked again. The figures are the same as ``anywhere``'s (a test checks it).

    Beside each fingerprint's count, the XOR of the numbers of the reports that have it (``owners``):
    where one report has it, that is its number. A fingerprint that becomes shared or stops being so
    had or has exactly one other report, found so without looking through every report (an added copy
    of a report flips thousands of fingerprints at once).

    Hashes new since the index was made go to a small second sorted array (``recent``), merged into
    the large one only once it has grown to ``1 / MERGE_SHARE`` of it: inserting a report's few new
    hashes into the large array would copy all of it (tens of MB at 10,000 reports) on every edit.
    """

    MERGE_SHARE = 64

    def __init__(self, keys: dict[str, str], prints: dict[str, Fingerprints], figures: dict[str, Reuse] | None = None):
        """The index of ``prints`` (report path -> its fingerprints) and their ``anywhere`` figures
        (worked from the index when not given)."""
        self.keys = dict(keys)  # report path -> fingerprint key
        self.prints = dict(prints)  # what is counted (a changed report's old fingerprints are taken out)
        self.numbers = {path: number for number, path in enumerate(prints, 1)}  # kept for good (0: no report)
        self.paths = ["", *prints]  # number -> path
        uniques = [np.unique(p.hashes) for p in prints.values()]
        every = np.concatenate(uniques or [_NONE])
        owner = np.repeat(np.arange(1, len(uniques) + 1, dtype=np.int32), [len(u) for u in uniques])
        order = np.argsort(every)
        every, owner = every[order], owner[order]
        del order
        starts = np.flatnonzero(np.concatenate(([True], every[1:] != every[:-1]))) if len(every) else np.empty(0, int)
        self.hashes = every[starts]
        self.counts = np.diff(np.append(starts, len(every))).astype(np.int32)  # reports having each hash
        self.owners = np.bitwise_xor.reduceat(owner, starts) if len(starts) else np.empty(0, np.int32)
        del every, owner
        self.recent, self.recent_counts, self.recent_owners = _NONE, _NO_COUNTS, _NO_COUNTS  # hashes added since
        if figures is None:  # worked from the index (each a new Reuse with ``previous`` at zero)
            shared = self.hashes[self.counts >= 2]
            self.figures = dict(zip(prints, _anywhere_from(prints.values(), shared), strict=True))
        else:
            self.figures = {
                path: Reuse(anywhere=f.anywhere, anywhere_spans=f.anywhere_spans) for path, f in figures.items()
            }

    def update(self, keys: dict[str, str], prints: dict[str, Fingerprints]) -> dict[str, Reuse]:
        """The figures for the reports ``keys`` (path -> fingerprint key) after the changes since the last call."""
        gone = {path: np.unique(self.prints[path].hashes) for path, key in self.keys.items() if keys.get(path) != key}
        added = {path: np.unique(prints[path].hashes) for path, key in keys.items() if self.keys.get(path) != key}
        touched = np.unique(np.concatenate([*gone.values(), *added.values(), _NONE]))
        before, owner_before = self._find(touched)
        for path, uniques in gone.items():
            self._add(uniques, -1, self.numbers[path])
            del self.figures[path], self.keys[path], self.prints[path]
        missing = touched[~self._known(touched)]  # (a search: setdiff1d would sort the whole index)
        if len(missing):
            at = np.searchsorted(self.recent, missing)
            self.recent = np.insert(self.recent, at, missing)
            self.recent_counts = np.insert(self.recent_counts, at, 0)
            self.recent_owners = np.insert(self.recent_owners, at, 0)
        for path, uniques in added.items():
            if path not in self.numbers:
                self.numbers[path] = len(self.paths)
                self.paths.append(path)
            self._add(uniques, 1, self.numbers[path])
            self.keys[path], self.prints[path] = keys[path], prints[path]
        after, owner_after = self._find(touched)
        # A hash that became shared or stopped being so: the one report that had it before, or has it now.
        flipped = (before >= 2) != (after >= 2)
        others = np.concatenate((owner_before[flipped & (before == 1)], owner_after[flipped & (after == 1)]))
        again = set(added) | {self.paths[number] for number in np.unique(others).tolist()}
        for path in again & self.keys.keys():
            shared = self._find(prints[path].hashes)[0] >= 2
            share, spans = _coverage(prints[path], shared)
            self.figures[path] = Reuse(anywhere=share, anywhere_spans=spans)
        if len(self.recent) * self.MERGE_SHARE > len(self.hashes):  # one copy of the large arrays
            at = np.searchsorted(self.hashes, self.recent)
            self.hashes = np.insert(self.hashes, at, self.recent)
            self.counts = np.insert(self.counts, at, self.recent_counts)
            self.owners = np.insert(self.owners, at, self.recent_owners)
            self.recent, self.recent_counts, self.recent_owners = _NONE, _NO_COUNTS, _NO_COUNTS
        return dict(self.figures)

    def _add(self, uniques: np.ndarray, change: int, number: int) -> None:
        """Count ``uniques`` (distinct hashes, every one in the index) ``change`` more times, for report ``number``."""
        at, known = _locate(uniques, self.hashes)
        self.counts[at[known]] += change
        self.owners[at[known]] ^= number
        at = np.searchsorted(self.recent, uniques[~known])
        self.recent_counts[at] += change
        self.recent_owners[at] ^= number

    def _find(self, hashes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """How many reports have each of ``hashes`` (0 for one no report has), and their owners' XOR."""
        counts, owners = np.zeros(len(hashes), np.int32), np.zeros(len(hashes), np.int32)
        for table, table_counts, table_owners in (
            (self.hashes, self.counts, self.owners),
            (self.recent, self.recent_counts, self.recent_owners),
        ):
            at, known = _locate(hashes, table)
            counts[known], owners[known] = table_counts[at[known]], table_owners[at[known]]
        return counts, owners

    def _known(self, hashes: np.ndarray) -> np.ndarray:
        """Whether each of ``hashes`` is in the index (with any count)."""
        return _isin_sorted(hashes, self.hashes) | _isin_sorted(hashes, self.recent)


_NONE = np.empty(0, np.uint64)
_NO_COUNTS = np.empty(0, np.int32)
_SHARED: SharedIndex | None = None  # kept by a serve session between builds


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
    keys = [small_key("fingerprints", code_version(), r.body_digest) for r in reports]
    prints = [cache.cached(key, lambda r=r: report_prints(r.body), True) for r, key in zip(reports, keys, strict=True)]
    figures = _anywhere_figures(reports, keys, prints, cache)
    for i, before in enumerate(previous_of):
        if before is not None:
            key = small_key("reuse-previous", code_version(), keys[i], keys[before])
            share, spans = cache.cached(key, lambda i=i, before=before: from_previous(prints[i], prints[before]), True)
            kept = figures[i]  # (made anew, not with dataclasses.replace: 10,000 of them in each serve rebuild)
            figures[i] = Reuse(
                previous=share, anywhere=kept.anywhere, previous_spans=spans, anywhere_spans=kept.anywhere_spans
            )
    archive.reuse = {r.path: f for r, f in zip(reports, figures, strict=True)}


def _anywhere_figures(reports: list, keys: list[str], prints: list[Fingerprints], cache: Cache) -> list[Reuse]:
    """The shares repeated anywhere: they depend on every report's text, so unchanged they are
    reused; a serve session updates them report by report. (The shares repeated from the previous
    report depend on the two texts only and are worked per pair.)"""
    global _SHARED
    if not keeping():
        _SHARED = None
        return list(cache.compute("reuse", "", lambda: anywhere(prints), *keys))
    by_path = {r.path: key for r, key in zip(reports, keys, strict=True)}
    prints_by_path = {r.path: p for r, p in zip(reports, prints, strict=True)}
    if _SHARED is None:  # the index works the figures on the way (``anywhere`` would sort everything again)
        made: list[SharedIndex] = []

        def work() -> list[Reuse]:
            made.append(SharedIndex(by_path, prints_by_path))
            return [made[0].figures[r.path] for r in reports]

        figures = cache.compute("reuse", "", work, *keys)
        if made:
            _SHARED = made[0]
        else:  # from the cache
            _SHARED = SharedIndex(by_path, prints_by_path, {r.path: f for r, f in zip(reports, figures, strict=True)})
        return list(figures)
    found = _SHARED.update(by_path, prints_by_path)
    return [found[r.path] for r in reports]


def attach_later(
    archive: Archive, cache: Cache | None = None, then: Callable[[], T] | None = None
) -> forked.Waiter[T | None] | None:
    """Start ``attach`` in a second process; returns a waiter that waits for it, attaches the figures
    and gives what ``then()`` returned.

    A full build renders its pages meanwhile, so the second core does the reuse work, and then
    ``then()`` if given (more work whose results the process leaves in the cache). Returns None
    where processes cannot be forked (the caller then runs ``attach`` itself).
    """

    def work() -> tuple[dict[str, Reuse], T | None]:
        attach(archive, cache)
        return archive.reuse, then() if then is not None else None

    def attached(result: tuple[dict[str, Reuse], T | None]) -> T | None:
        archive.reuse, more = result
        return more

    figures = forked.start(work, "archive-reuse", "重复率计算失败")
    return None if figures is None else figures.then(attached)
