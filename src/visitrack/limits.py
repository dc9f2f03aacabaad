"""Per-document time limits: a document that stalls a stage is cut off, not waited for.

A limit is a real-time interval timer (``SIGALRM``): when it fires, :class:`TimeLimitExceeded`
is raised wherever the document's code is running -- a regular expression backtracking
without end, a parser in a loop -- and the pipeline turns it into that document's failure.

The signal can only be handled by the main thread of a process, so that limit applies in the
main thread only (the CLI and its local worker processes). Everywhere, including a server's
or a Dask worker's threads, :func:`within` also checks the clock between the sentences the
parser yields: parsing and extraction work sentence by sentence, each a bounded piece of
work, so that check stops them too, only less promptly.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TypeVar

__all__ = ["DOCUMENT_TIME_LIMIT_S", "TimeLimitExceeded", "applies", "time_limit", "within"]

# Seconds one stage (cleaning; parsing with extraction) may spend on one document. Measured on
# the 2-core CI machine: every gold document takes under 2 s for all stages; a 19 MiB text
# file (near the input size limit) takes 15 s to clean, and parsing runs at about 250 kept
# sentences a second, so 60 s admits some 15,000 trip-related sentences -- far more than any
# news page -- and stops only documents that would hold a run up for many minutes.
DOCUMENT_TIME_LIMIT_S = 60.0


T = TypeVar("T")

# setitimer treats 0 as "disarm"; an overdue alarm is re-armed with this instead.
MIN_REARM_S = 1e-6


class TimeLimitExceeded(BaseException):
    """A stage ran past its time limit on one document.

    A ``BaseException``, like ``KeyboardInterrupt``, so that library code catching
    ``Exception`` (lxml, trafilatura) cannot swallow it and carry on with the stalled work.
    """

    def __init__(self, seconds: float) -> None:
        super().__init__(f"took longer than the time limit of {seconds:g} s")
        self.seconds = seconds


def applies() -> bool:
    """True when a time limit can be enforced here (the main thread, a Unix timer)."""
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise :class:`TimeLimitExceeded` in the body once ``seconds`` have passed.

    ``None`` or ``0`` means no limit; outside the main thread the body runs without one. A
    caller's own alarm is respected: when it is due first, or its handler was installed
    outside Python (libFuzzer's ``-timeout``), it is left alone and no limit is set here;
    otherwise it is re-armed with its remaining time afterwards.
    """
    if not seconds or seconds <= 0 or not applies():
        yield
        return
    pending, _ = signal.getitimer(signal.ITIMER_REAL)
    previous = signal.getsignal(signal.SIGALRM)
    if (pending and pending <= seconds) or previous is None:
        yield
        return

    def expire(_signum: int, _frame: FrameType | None) -> None:
        raise TimeLimitExceeded(seconds)

    signal.signal(signal.SIGALRM, expire)
    _, interval = signal.setitimer(signal.ITIMER_REAL, seconds)
    started = time.monotonic()
    try:
        yield
    finally:
        # Disarm before restoring the old handler, so a late alarm cannot reach it.
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if pending:
            left = pending - (time.monotonic() - started)
            # An alarm that fell due meanwhile still fires, at once.
            signal.setitimer(signal.ITIMER_REAL, max(left, MIN_REARM_S), interval)


def within(items: Iterable[T], seconds: float | None) -> Iterator[T]:
    """Yield ``items``, raising :class:`TimeLimitExceeded` once ``seconds`` have passed.

    The clock is read between items, so this works in any thread; it cannot interrupt the
    work of producing one item.
    """
    if not seconds or seconds <= 0:
        yield from items
        return
    deadline = time.monotonic() + seconds
    for item in items:
        if time.monotonic() > deadline:
            raise TimeLimitExceeded(seconds)
        yield item
