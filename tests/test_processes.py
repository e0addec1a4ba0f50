from __future__ import annotations

import subprocess
import sys
import time

from report_archive.processes import interrupt

# A child that says it is ready, waits, and on Ctrl+C cleans up (here: writes a file) before it ends.
_CLEANS_UP = """
import pathlib, sys, time
print("ready", flush=True)
try:
    time.sleep(60)
finally:
    pathlib.Path(sys.argv[1]).write_text("cleaned")
"""
_IGNORES = """
import signal, time
signal.signal(signal.SIGINT, signal.SIG_IGN)
print("ready", flush=True)
time.sleep(60)
"""


def _start(code: str, *args: str) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None and process.stdout.readline() == "ready\n"
    return process


def test_interrupt_lets_the_process_clean_up(tmp_path):
    marker = tmp_path / "marker"
    process = _start(_CLEANS_UP, str(marker))
    interrupt(process, timeout=20)
    assert process.returncode not in (None, -9) and marker.read_text() == "cleaned"


def test_interrupt_kills_a_process_that_ignores_it():
    process = _start(_IGNORES)
    start = time.monotonic()
    interrupt(process, timeout=1)
    assert process.returncode == -9 and time.monotonic() - start < 10
