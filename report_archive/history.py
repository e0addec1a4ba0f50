"""When each report last changed, from the git history: one ``git log`` for the whole archive."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path


def last_changed(repo: Path, folder: str = "docs") -> dict[str, dt.date]:
    """Docs-relative path -> date of the last commit that touched it. Empty outside a git checkout."""
    try:
        result = subprocess.run(
            ["git", "-c", "core.quotepath=off", "log", "--format=%x00%ct", "--name-only", "--", folder],
            cwd=repo,
            capture_output=True,
            text=True,
            timeout=120,
        )
    except (OSError, subprocess.TimeoutExpired):
        return {}
    if result.returncode != 0:
        return {}
    dates: dict[str, dt.date] = {}
    when = None
    prefix = folder.rstrip("/") + "/"
    for line in result.stdout.splitlines():
        if line.startswith("\x00"):
            when = dt.datetime.fromtimestamp(int(line[1:]), dt.UTC).date()
        elif line.startswith(prefix) and when is not None:
            dates.setdefault(line[len(prefix) :], when)  # newest first: keep the first seen
    return dates
