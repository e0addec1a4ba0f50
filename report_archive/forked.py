"""Work done by a forked second process while this one goes on: the machine's second core.

A forked process starts with a copy of this one's memory, so it needs nothing sent to begin;
what it returns comes back pickled through a pipe. Where processes cannot be forked, callers do
the work themselves.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from .cache import keeping

T = TypeVar("T")
R = TypeVar("R")
U = TypeVar("U")
CHUNK = 64  # results per message: the receiving side holds one message's bytes at a time
# Fewer items (of the archive's per-report work: reading, checking, finding sections) are worked
# here faster than a second process starts and sends them back.
LEAST = 200


def available() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


class Waiter(Generic[T]):
    """The result of work done in a forked process: ``waiter()`` waits for it (once) and returns it."""

    def __init__(self, receive: Callable[..., list], ready: Callable[[], bool]):
        self._receive: Callable[..., list] | None = receive
        self._ready = ready
        self._result: T | None = None

    def done(self) -> bool:
        """Whether the work is done (or failed): waiting for it then returns at once."""
        return self._receive is None or self._ready()

    def __call__(self) -> T:
        """The result (``RuntimeError`` with the reason when the work failed)."""
        if self._receive is not None:
            receive, self._receive = self._receive, None
            self._result = receive()[0]
        return self._result  # type: ignore[return-value]

    def then(self, use: Callable[[T], U]) -> Waiter[U]:
        """A waiter for ``use(result)``, called once, when the result is waited for."""
        return Waiter(lambda: [use(self())], self.done)


def start(work: Callable[[], T], name: str, failure: str) -> Waiter[T] | None:
    """Run ``work()`` in a forked process; None where processes cannot be forked. A failure is raised
    by the waiting side as ``RuntimeError`` with ``failure`` and the reason."""
    started = _start(lambda send: send(work()), name, failure)
    return None if started is None else Waiter(*started)


def map_split(work: Callable[[T], R], items: Sequence[T], failure: str, least: int = LEAST) -> list[R]:
    """``[work(item) for item in items]``, the second half worked meanwhile by a forked process.

    For work whose results are worth more than their pickling (reading and checking files, say).
    Fewer than ``least`` items, no fork, or a process that keeps work in memory between builds
    (``mkdocs serve``, see :func:`cache.keeping`): all worked here. ``work`` must not depend on state
    it changes (each process changes its own copy).
    """
    half = len(items) // 2
    if len(items) < max(least, 2) or not available() or keeping():
        return [work(item) for item in items]

    def send_all(send: Callable[[Any], None]) -> None:
        done = [work(item) for item in items[half:]]  # all first: the pipe holds one message at a time
        for offset in range(0, len(done), CHUNK):
            send(done[offset : offset + CHUNK])

    started = _start(send_all, "archive-split", failure)
    assert started is not None
    waiting = started[0]
    try:
        mine = [work(item) for item in items[:half]]
    except BaseException:
        waiting(stop=True)
        raise
    for chunk in waiting():
        mine.extend(chunk)
    return mine


def _start(
    produce: Callable[[Callable[[Any], None]], None], name: str, failure: str
) -> tuple[Callable[..., list], Callable[[], bool]] | None:
    """Fork a process that calls ``produce(send)``. Returns a function that waits for it and returns
    the values it sent (``stop=True``: ends it without waiting), and one that tells whether a value
    (or the end) is there to receive."""
    if not available():
        return None
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)

    def run() -> None:
        try:
            produce(lambda value: sender.send((True, value)))
            sender.send((False, None))
        except BaseException as exc:  # reported by the waiting side, with the reason
            sender.send((False, f"{type(exc).__name__}: {exc}"))

    process = context.Process(target=run, name=name, daemon=True)
    process.start()
    sender.close()

    def wait(stop: bool = False) -> list:
        values: list = []
        try:
            if stop:
                process.terminate()
                return values
            while True:
                try:
                    more, value = receiver.recv()
                except EOFError:
                    process.join()
                    more, value = False, f"进程意外退出（退出码 {process.exitcode}）"
                if not more:
                    break
                values.append(value)
        finally:
            process.join()
            receiver.close()
        if value is not None:
            raise RuntimeError(f"{failure}：{value}")
        return values

    return wait, receiver.poll
