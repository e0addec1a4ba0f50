"""Publishing into a folder of releases with an atomic switch.

Layout under the target folder::

    releases/<name>/   one complete build each, never changed after the switch
    current -> releases/<name>   a symlink, replaced with rename(2), so a web server serving
                                 'current' sees the old release or the new one, never a mix

A release is built into its own folder first; only a build that succeeded is switched to.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Callable
from pathlib import Path

RELEASES = "releases"
CURRENT = "current"
MARKER = "release.txt"  # written into each release: its name, for people and tests


class PublishError(Exception):
    """Publishing failed; ``current`` was left as it was. The message is for the user, in Chinese."""


def releases(target: Path) -> list[Path]:
    folder = target / RELEASES
    return sorted(p for p in folder.iterdir() if p.is_dir()) if folder.exists() else []


def current(target: Path) -> Path | None:
    link = target / CURRENT
    return (target / os.readlink(link)).resolve() if link.is_symlink() else None


def switch(target: Path, release: Path) -> None:
    """Point ``current`` at ``release`` atomically: a new symlink renamed over the old one."""
    temporary = target / f".{CURRENT}.{os.getpid()}"
    if temporary.is_symlink() or temporary.exists():
        temporary.unlink()
    temporary.symlink_to(Path(RELEASES) / release.name)
    os.replace(temporary, target / CURRENT)


def release_name(now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now(dt.UTC)
    return now.strftime("%Y%m%dT%H%M%S.%fZ")


def publish(target: Path, build: Callable[[Path], None], keep: int = 5) -> Path:
    """Build a new release with ``build(folder)``, switch to it, prune to the last ``keep``.

    ``build`` raises (PublishError or anything else) to refuse; then the half-built folder is
    removed and ``current`` is untouched.
    """
    (target / RELEASES).mkdir(parents=True, exist_ok=True)
    folder = target / RELEASES / release_name()
    try:
        build(folder)
        (folder / MARKER).write_text(folder.name + "\n", encoding="utf-8")
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    switch(target, folder)
    prune(target, keep)
    return folder


def prune(target: Path, keep: int) -> list[Path]:
    """Remove all but the newest ``keep`` releases; the current one is always kept."""
    active = current(target)
    removed = []
    for old in releases(target)[: -keep if keep > 0 else None]:
        if old.resolve() != active:
            shutil.rmtree(old)
            removed.append(old)
    return removed


def rollback(target: Path) -> Path:
    """Switch ``current`` back to the release before it."""
    active = current(target)
    candidates = [r for r in releases(target) if active is None or r.resolve() < active]
    if not candidates:
        raise PublishError("没有更早的版本可以回退。")
    switch(target, candidates[-1])
    return candidates[-1]
