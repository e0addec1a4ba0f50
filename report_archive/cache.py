"""A persistent cache of per-report work, keyed by content: the same input is never worked twice.

Each entry is stored under a key made from what it depends on: the kind of work, the bytes it is
computed from (a report's text or its rendered HTML) and the archive's own code (every module of
this package), so a change to any of them is a miss, never a stale hit. An entry carries a digest
of its payload and the key it was written for; an entry that does not check out (a flipped byte,
a truncated write, a hash collision in the file name) is ignored and recomputed. So a wrong cache
entry can cost time but never change the output.

Location: ``.cache/archive/`` beside ``mkdocs.yml`` (gitignored), or ``$ARCHIVE_CACHE_DIR``;
``ARCHIVE_CACHE_DIR=off`` turns it off. Deleting the folder is always safe.
"""

from __future__ import annotations

import atexit
import functools
import hashlib
import itertools
import os
import pickle
import shutil
import tempfile
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
_MAGIC = b"report-archive-cache/1\n"
_WRITES = itertools.count()  # numbers the entries this process writes (their temporary names)
PACKAGE = Path(__file__).resolve().parent

# Entries asked for with ``keep=True``, held by a long-lived process (``mkdocs serve``) between its
# builds so that an unchanged report costs no reading; off unless ``keep_in_memory(True)``. Values
# are shared, so what is kept must never be changed by its users.
_MEMORY: dict[Hashable, Any] = {}
_USED: set[Hashable] = set()
_KEEPING = False


def keep_in_memory(on: bool) -> None:
    global _KEEPING
    _KEEPING = on
    if not on:
        _MEMORY.clear()
        _USED.clear()


def keeping() -> bool:
    """Whether this process keeps work between builds (``mkdocs serve``)."""
    return _KEEPING


def remember(key: Hashable, work: Callable[[], T]) -> T:
    """``work()``; in a process that keeps work between builds, its result from an earlier build
    under the same ``key`` (made of everything ``work`` depends on: a tuple of digests and values).
    Memory only: for what is cheap to make once but adds up over every report in every build."""
    if not _KEEPING:
        return work()
    _USED.add(key)
    if key not in _MEMORY:
        _MEMORY[key] = work()
    return _MEMORY[key]


def forget_unused() -> None:
    """Drop kept entries that no lookup asked for since the last call (the end of a build)."""
    for key in set(_MEMORY) - _USED:
        del _MEMORY[key]
    _USED.clear()


@functools.cache
def code_version() -> str:
    """A digest of the archive's own code: any change to it invalidates every entry."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*.py")):
        digest.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def digest(*parts: str | bytes) -> str:
    """A key from its parts (each length-prefixed, so parts cannot run into each other)."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little") + data)
    return h.hexdigest()


SMALL_PART = 256  # characters: a key part no longer than this may be held by ``small_key``'s memory


@functools.lru_cache(maxsize=1 << 17)
def small_key(*parts: str) -> str:
    """``digest(*parts)``, remembered: for keys made of short parts (kinds, digests; see
    ``SMALL_PART``) that every build of a ``mkdocs serve`` session asks for again, report by report."""
    return digest(*parts)


@dataclass(frozen=True)
class Deferred:
    """Content known by a key before it is made: whoever holds it makes it only for a new key.

    ``key`` must be made (with :func:`digest`) from everything ``make`` depends on, the code included.
    """

    key: str
    make: Callable[[], str]


class Cache:
    """Entries on disk under ``folder``, one file each; ``folder=None`` keeps nothing."""

    def __init__(self, folder: Path | None):
        self.folder = folder
        self.hits = 0
        self.misses = 0
        self._made: set[Path] = set()  # entry folders known to exist

    @classmethod
    def for_project(cls, root: Path) -> Cache:
        setting = os.environ.get("ARCHIVE_CACHE_DIR", "")
        if setting.lower() in ("off", "0", "false", "no"):
            return cls(None)
        return cls(Path(setting) if setting else root / ".cache" / "archive")

    def _path(self, key: str) -> Path:
        assert self.folder is not None
        return self.folder / key[:2] / key[2:]

    def pages_dir(self, site_dir: str | Path) -> Path:
        """A folder for the generated pages' sources of the build into ``site_dir``."""
        if self.folder is None:
            return _scratch(str(site_dir))
        return self.folder / "pages" / digest(str(Path(site_dir).resolve()))[:20]

    def has(self, key: str) -> bool:
        return self.folder is not None and self._path(key).exists()

    def get(self, key: str, keep: bool = False) -> Any | None:
        if keep and _KEEPING and key in _MEMORY:
            _USED.add(key)
            return _MEMORY[key]
        value = self._read(key)
        if keep and value is not None:
            self._keep(key, value)
        return value

    def _keep(self, key: str, value: Any) -> None:
        if _KEEPING:
            _MEMORY[key] = value
            _USED.add(key)

    def _read(self, key: str) -> Any | None:
        if self.folder is None:
            return None
        try:
            data = self._path(key).read_bytes()
        except OSError:
            return None
        head = len(_MAGIC)
        stored_key, stored_digest, payload = data[head : head + 64], data[head + 64 : head + 128], data[head + 128 :]
        if not data.startswith(_MAGIC) or stored_key != key.encode() or stored_digest != _sha(payload).encode():
            return None
        try:
            return pickle.loads(payload)
        except Exception:  # a payload that checks out but does not load: treat as a miss
            return None

    def put(self, key: str, value: T, keep: bool = False) -> T:
        """Store ``value``; returns what to use from then on: the stored copy, as a later ``get`` gives it.

        Pickling a string leaves a UTF-8 copy of it attached to the string for its lifetime (three
        bytes per Chinese character, beside the two it takes anyway); the copy read back has none.
        Holding on to the values a build stores would otherwise cost a few hundred MB at 2,500 reports.
        """
        if self.folder is None:
            if keep:
                self._keep(key, value)
            return value
        payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        stored = pickle.loads(payload)
        if keep:
            self._keep(key, stored)
        path = self._path(key)
        # A name no other process or thread writes to, put in place whole: readers never see half an entry.
        partial = path.with_name(f".tmp-{os.getpid()}-{threading.get_ident()}-{next(_WRITES)}")
        try:
            if path.parent not in self._made:
                path.parent.mkdir(parents=True, exist_ok=True)
                self._made.add(path.parent)
            handle = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            try:
                data = memoryview(_MAGIC + key.encode() + _sha(payload).encode() + payload)
                while data:
                    data = data[os.write(handle, data) :]
            finally:
                os.close(handle)
            os.replace(partial, path)
        except OSError:  # a read-only or full disk only costs time
            self._made.discard(path.parent)  # (the folder may have been removed meanwhile)
            partial.unlink(missing_ok=True)
        return stored

    def compute(self, kind: str, source: str | bytes, work: Callable[[], T], *extra: str, keep: bool = False) -> T:
        """``work()``, or its stored result for the same kind, source, extra parts and code."""
        parts = (kind, code_version(), *extra, source)
        short = all(isinstance(part, str) and len(part) <= SMALL_PART for part in parts)
        return self.cached(small_key(*parts) if short else digest(*parts), work, keep)

    def cached(self, key: str, work: Callable[[], T], keep: bool = False) -> T:
        """``work()``, or its result stored under ``key`` (a key made with :func:`digest`)."""
        found = self.get(key, keep)
        if found is not None:
            self.hits += 1
            return found
        self.misses += 1
        return self.put(key, work(), keep)


@functools.cache
def _scratch(site_dir: str) -> Path:
    """A temporary folder for one process (the cache is off), removed when the process exits (a forked
    second process ends without running ``atexit``, so it leaves the folder to this one)."""
    folder = tempfile.mkdtemp(prefix="archive-pages-")
    atexit.register(shutil.rmtree, folder, True)
    return Path(folder)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
