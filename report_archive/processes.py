"""Stopping a child process (``mkdocs serve`` in the tests and the benchmark) as a user stops it."""

from __future__ import annotations

import signal
import subprocess


def interrupt(process: subprocess.Popen, timeout: float) -> None:
    """Stop ``process`` as Ctrl+C does, so that it can clean up (``mkdocs serve`` removes its
    temporary site folder, which ``terminate`` leaves behind); kill it if it has not ended within
    ``timeout`` seconds (a process started where Ctrl+C is ignored ignores it too)."""
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
