"""Publishing into a folder of releases with an atomic switch.

Layout under the target folder::

    releases/<name>/   one build each, never changed after the switch
    releases/<name>/release.txt   the completion marker: the release's own name, written last
    current -> releases/<name>    a symlink, replaced with rename(2), so a web server serving
                                  'current' sees the old release or the new one, never a mix
    .publish.lock                 held (flock) for the whole of a publish or a rollback

A release is built into its own folder first; the marker is written (and flushed to disk) only
after the build succeeded, and only then is ``current`` switched. A folder without the marker
(a build that failed, or a publish killed half-way) is *incomplete*: it is never switched to,
never counted as a release, never a rollback target.

Publishing and rolling back hold an exclusive lock on ``.publish.lock``, so two of them never
interleave: a second one waits until the first has finished. The kernel drops the lock when its
holder dies (even by SIGKILL), so a killed publish never blocks the next one.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import os
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

RELEASES = "releases"
CURRENT = "current"
MARKER = "release.txt"  # the completion marker, written last into each release: its name
LOCK = ".publish.lock"


class PublishError(Exception):
    """Publishing failed; ``current`` was left as it was. The message is for the user, in Chinese."""


def is_complete(release: Path) -> bool:
    """A release counts once its marker holds its own name (a copied-in release.txt does not)."""
    try:
        return (release / MARKER).read_text(encoding="utf-8").strip() == release.name
    except (OSError, UnicodeDecodeError):
        return False


def _folders(target: Path) -> list[Path]:
    folder = target / RELEASES
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_dir() and not p.is_symlink())


def releases(target: Path) -> list[Path]:
    """The complete releases, oldest first (names are UTC timestamps, so they sort by time)."""
    return [p for p in _folders(target) if is_complete(p)]


def incomplete(target: Path) -> list[Path]:
    """Release folders without a valid completion marker: failed, killed or still building."""
    return [p for p in _folders(target) if not is_complete(p)]


def current(target: Path) -> Path | None:
    link = target / CURRENT
    return (target / os.readlink(link)).resolve() if link.is_symlink() else None


def _fsync_dir(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def switch(target: Path, release: Path) -> None:
    """Point ``current`` at ``release`` atomically: a new symlink renamed over the old one."""
    if not is_complete(release):
        raise PublishError(f"版本 {release.name} 不完整，不能切换过去。")
    temporary = target / f".{CURRENT}.{os.getpid()}"
    if temporary.is_symlink() or temporary.exists():
        temporary.unlink()
    temporary.symlink_to(Path(RELEASES) / release.name)
    os.replace(temporary, target / CURRENT)
    _fsync_dir(target)


def release_name(now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now(dt.UTC)
    return now.strftime("%Y%m%dT%H%M%S.%fZ")


_OS_MESSAGES = {
    errno.EACCES: "没有写入权限",
    errno.EPERM: "不允许写入",
    errno.EROFS: "文件系统是只读的",
    errno.ENOSPC: "磁盘空间不足",
}


def os_message(exc: OSError) -> str:
    """A short reason for an OS error, in Chinese where we know one."""
    return _OS_MESSAGES.get(exc.errno or 0, exc.strerror or str(exc))


def _prepare(target: Path) -> None:
    """Make sure ``target`` is a directory we can write; a clear message otherwise."""
    if target.exists() and not target.is_dir():
        raise PublishError(f"发布目录 {target} 已存在，但不是目录。请换一个目录。")
    try:
        (target / RELEASES).mkdir(parents=True, exist_ok=True)
    except NotADirectoryError:
        raise PublishError(f"无法创建发布目录 {target}：路径中有一部分是文件，不是目录。") from None
    except OSError as exc:
        verb = "写入" if target.is_dir() else "创建"
        raise PublishError(f"无法{verb}发布目录 {target}：{os_message(exc)}。") from None


@contextlib.contextmanager
def locked(target: Path, wait_message: str | None = None) -> Iterator[None]:
    """Hold the exclusive publish lock of ``target``; wait for another holder to finish.

    ``wait_message`` is printed to stderr when the lock is busy, before waiting.
    """
    _prepare(target)
    try:
        handle = open(target / LOCK, "a")  # noqa: SIM115 - closed below, after the unlock
    except OSError as exc:
        raise PublishError(f"无法写入发布目录 {target}：{os_message(exc)}。") from None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if wait_message:
                print(wait_message, file=sys.stderr, flush=True)
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _mark_complete(folder: Path) -> None:
    """Flush the build to disk, then write the marker and flush it: the marker comes last."""
    os.sync()
    marker = folder / MARKER
    with open(marker, "w", encoding="utf-8") as handle:
        handle.write(folder.name + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    _fsync_dir(folder)


WAITING = "另一个发布或回退正在进行，等待它结束……"


def publish(target: Path, build: Callable[[Path], None], keep: int = 5, wait_message: str | None = WAITING) -> Path:
    """Build a new release with ``build(folder)``, mark it complete, switch to it, prune.

    The whole of it runs under the publish lock. ``build`` creates ``folder`` and raises
    (PublishError or anything else) to refuse; then the half-built folder is removed and
    ``current`` is untouched.
    """
    with locked(target, wait_message):
        folder = target / RELEASES / release_name()
        try:
            build(folder)
            if not folder.is_dir():
                raise PublishError("构建没有生成任何文件，未发布。")
            _mark_complete(folder)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        switch(target, folder)
        prune(target, keep, started=folder)
        return folder


def prune(target: Path, keep: int, started: Path | None = None) -> list[Path]:
    """Remove old releases; call it only while holding the lock.

    Kept: the newest ``keep`` complete releases, ``current`` and the complete release before it
    (the rollback target), whatever ``keep`` says. Incomplete folders are removed only when they
    are older than ``started``, the release of the publish holding the lock: every publish builds
    under the lock, so such a folder belongs to a publish that has ended (failed or was killed).
    Newer incomplete folders, or any when ``started`` is None, are left alone.
    """
    complete = releases(target)
    active = current(target)
    earlier = [r for r in complete if active is not None and r.resolve() < active]
    protected = set(complete[-keep:] if keep > 0 else [])
    protected |= {r for r in complete if r.resolve() == active}
    protected |= set(earlier[-1:])
    removed = [r for r in complete if r not in protected]
    if started is not None:
        removed += [r for r in incomplete(target) if r.name < started.name]
    for old in removed:
        shutil.rmtree(old, ignore_errors=True)
    return removed


def rollback(target: Path, wait_message: str | None = WAITING) -> Path:
    """Switch ``current`` back to the complete release before it (under the publish lock)."""
    with locked(target, wait_message):
        active = current(target)
        candidates = [r for r in releases(target) if active is None or r.resolve() < active]
        if not candidates:
            raise PublishError("没有更早的完整版本可以回退。")
        switch(target, candidates[-1])
        return candidates[-1]
