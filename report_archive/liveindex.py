"""The search index of a ``mkdocs serve`` session: a change is searchable at once, the whole index follows.

The session remembers the whole index it last put in the output folder (the main index). After a
change, the reports that differ from it are indexed on their own as a small second index and
their old entries in the main index are hidden (:func:`search.write_delta`, a few milliseconds
for one report); the whole index is then built again in the background, in a child process, and
put in place of both. Waiting for it (:func:`wait`) leaves exactly the index a clean build writes.

Behind a delta, the whole index starts only once builds have paused for ``QUIET`` seconds: while
someone saves again and again, its child process and the copying of every document to it would
slow each rebuild (by about a third at 2,500 reports); the delta keeps search current meanwhile.
A whole index that a newer build overtakes is abandoned (its child process stopped) rather than
finished, as soon as that build starts (:func:`build_started`): at 10,000 reports it takes about a
minute, all of it competing with the rebuilds that follow. Only the session's first index, with no
main index to put a delta beside, is always finished: until it is, the site has no search at all.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import search

MAX_DELTA = 200  # more changed reports than this wait for the whole index instead
QUIET = 3.0  # seconds without a newer build before the whole index is built behind a delta
log = logging.getLogger("mkdocs.report_archive.liveindex")


@dataclass(frozen=True)
class Docs:
    """What one build indexes: a digest of it, each report's path and index fields, the documents."""

    digest: str
    entries: Sequence[tuple[str, Any]]  # (report path, its fields in the index), in document order
    docs: Sequence[search.SearchDoc]


_lock = threading.Lock()  # held while the output folder's index changes
_writer: threading.Thread | None = None
_main: Docs | None = None  # what the whole index in the output folder was built from
_latest: Docs | None = None  # what the newest build indexes
_hurry = threading.Event()  # set by ``wait``: no quiet period
_builds = 0  # builds started in this session (see ``build_started``)


def reset() -> None:
    """Forget the session (the next update builds the whole index)."""
    global _main, _latest
    wait()
    _main = _latest = None


def wait() -> None:
    """Until the whole index of the newest build is in place (or its writing failed)."""
    if _writer is not None:
        _hurry.set()
        _writer.join()
        _hurry.clear()


def build_started() -> None:
    """A build of the session begins: a whole index behind a delta that waits for a pause, or is
    being built, gives way to it (the new build's own follows it)."""
    global _builds
    _builds += 1


def update(
    docs: Docs,
    out: Path,
    build: Callable[[Sequence[search.SearchDoc], Path, Callable[[], bool]], object],
    failed: Callable[[], None],
) -> None:
    """Make ``docs`` searchable in ``out``: a delta now if a main index is there, the whole index behind it.

    ``build(documents, folder, cancelled)`` writes a whole index into ``folder``, or raises
    :class:`search.Cancelled` once ``cancelled()`` is true (a newer build's index follows);
    ``failed()`` is called if it raises anything else (the session goes on; the next build tries again).
    """
    global _latest, _writer, _main
    with _lock:
        _latest = docs
        if not (out / "docs.json").exists():  # the folder was emptied (a build that is not dirty)
            _main = None
        delta = _main is not None
        if delta:
            _write_delta(out)
    before, builds = _writer, _builds

    def superseded() -> bool:
        """A newer build has started (or ended): its own whole index follows this one."""
        return _latest is not docs or (_builds != builds and not _hurry.is_set())

    def whole() -> None:
        global _main
        if before is not None:
            before.join()
        if delta:
            _hurry.wait(QUIET)  # a newer build within it makes this job superseded
        with _lock:
            if _latest is not docs or (delta and superseded()):
                return
            if _main is not None and _main.digest == docs.digest:  # changed back: the main index is it
                return
        fresh = out.with_name(out.name + ".new")
        try:
            build(docs.docs, fresh, lambda: _main is not None and superseded())
        except search.Cancelled:
            log.debug("搜索索引已被更新的构建取代")
            return
        except Exception:
            failed()
            log.exception("搜索索引写入失败")
            return
        with _lock:
            search.replace_index(fresh, out)
            _main = docs
            if _latest is not docs:  # changed while it was built: the newest changes on top
                _write_delta(out)
        log.info(f"搜索索引已更新：{len(docs.docs)} 份报告")

    _writer = threading.Thread(target=whole, name="search-index", daemon=True)
    _writer.start()


def _write_delta(out: Path) -> None:
    """The newest build's changes since the main index, as a delta beside it (under ``_lock``)."""
    assert _main is not None and _latest is not None
    before = dict(_main.entries)
    now = dict(_latest.entries)
    hidden = [number for number, (path, fields) in enumerate(_main.entries) if now.get(path) != fields]
    changed = [_latest.docs[n] for n, (path, fields) in enumerate(_latest.entries) if before.get(path) != fields]
    if len(changed) <= MAX_DELTA:
        search.write_delta(out, changed, hidden)
